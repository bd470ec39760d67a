// The C side of the differential test: an interpreter of the conformance
// scenarios (one step per line) that makes the real system calls, in a fresh
// network namespace with lo up, starting with no effective capability (as
// the selftests' disable_caps()). It declares the Landlock UAPI itself:
// Debian 12's linux-libc-dev predates network rules. User buffers end at a
// guard page, so a short buffer faults (-EFAULT) as it would in a C program.
// Threads ("thread NAME") are pthreads that run the steps given to them.

/** The helper's source; built by the oracle runner with the system compiler. */
export const ORACLE_C_SOURCE = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif
#define K_LANDLOCK_CREATE_RULESET_VERSION (1U << 0)

struct k_cap_header { uint32_t version; int pid; };
struct k_cap_data { uint32_t effective, permitted, inheritable; };
#define K_CAP_V3 0x20080522

#define MAX_LINES 4096
#define MAX_VARS 256
static char *lines[MAX_LINES];
static int nlines;
static struct { char name[32]; long value; } vars[MAX_VARS];
static int nvars;
static pthread_mutex_t vars_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what) { printf("SETUP %s %d\n", what, errno); fflush(stdout); _exit(3); }

static void setvar(const char *name, long v) {
  pthread_mutex_lock(&vars_lock);
  for (int i = 0; i < nvars; i++) if (!strcmp(vars[i].name, name)) { vars[i].value = v; pthread_mutex_unlock(&vars_lock); return; }
  if (nvars < MAX_VARS) { snprintf(vars[nvars].name, sizeof vars[nvars].name, "%s", name); vars[nvars++].value = v; }
  pthread_mutex_unlock(&vars_lock);
}
static long getvar(const char *name) {
  long v = -1;
  pthread_mutex_lock(&vars_lock);
  for (int i = 0; i < nvars; i++) if (!strcmp(vars[i].name, name)) v = vars[i].value;
  pthread_mutex_unlock(&vars_lock);
  return v;
}
static long ref(const char *t) { return t[0] == '$' ? getvar(t + 1) : strtol(t, NULL, 0); }

/* User memory that ends at a PROT_NONE page; "-" is NULL. */
static unsigned char *userbuf(const char *hex, size_t *len) {
  if (!strcmp(hex, "-")) { *len = 0; return NULL; }
  if (!strcmp(hex, "~")) hex = "";
  size_t n = strlen(hex) / 2;
  size_t pages = (n + 4095) / 4096 + 1;
  unsigned char *m = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) die("mmap");
  if (mprotect(m + (pages - 1) * 4096, 4096, PROT_NONE)) die("mprotect");
  unsigned char *p = m + (pages - 1) * 4096 - n;
  for (size_t i = 0; i < n; i++) { unsigned x; sscanf(hex + 2 * i, "%2x", &x); p[i] = (unsigned char)x; }
  *len = n;
  return p;
}
/* Patches "p2=VAR" (a big-endian port at offset 2) and "i8=VAR" (an int at offset 8). */
static void patch(unsigned char *p, char **tok, int ntok) {
  for (int i = 0; i < ntok; i++) {
    if (!p) continue;
    if (!strncmp(tok[i], "p2=", 3)) { long v = getvar(tok[i] + 3); p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v; }
    if (!strncmp(tok[i], "i8=", 3)) { int v = (int)getvar(tok[i] + 3); memcpy(p + 8, &v, sizeof v); }
  }
}
static long ret(long r) { return r < 0 ? -errno : r; }

static long run(int idx) {
  char buf[16384];
  snprintf(buf, sizeof buf, "%s", lines[idx]);
  char *tok[16]; int n = 0;
  for (char *s = strtok(buf, " "); s && n < 16; s = strtok(NULL, " ")) tok[n++] = s;
  const char *op = tok[1];
  if (!strcmp(op, "caps")) {
    struct k_cap_header h = { K_CAP_V3, 0 };
    struct k_cap_data d[2] = {{0}};
    unsigned long long eff = strtoull(tok[2], NULL, 16), perm = strtoull(tok[3], NULL, 16);
    d[0].effective = (uint32_t)eff; d[1].effective = (uint32_t)(eff >> 32);
    d[0].permitted = (uint32_t)perm; d[1].permitted = (uint32_t)(perm >> 32);
    return ret(syscall(SYS_capset, &h, d));
  }
  if (!strcmp(op, "nnp")) return ret(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
  if (!strcmp(op, "cr")) {
    size_t len; unsigned char *p = userbuf(tok[3], &len);
    long r = ret(syscall(__NR_landlock_create_ruleset, p, strtoul(tok[4], NULL, 0), (uint32_t)strtoul(tok[5], NULL, 0)));
    if (r >= 0 && strcmp(tok[2], "-")) setvar(tok[2], r);
    return r;
  }
  if (!strcmp(op, "ar")) {
    size_t len; unsigned char *p = userbuf(tok[4], &len);
    patch(p, tok + 6, n - 6);
    return ret(syscall(__NR_landlock_add_rule, (int)ref(tok[2]), (int)strtol(tok[3], NULL, 0), p, (uint32_t)strtoul(tok[5], NULL, 0)));
  }
  if (!strcmp(op, "rs")) return ret(syscall(__NR_landlock_restrict_self, (int)ref(tok[2]), (uint32_t)strtoul(tok[3], NULL, 0)));
  if (!strcmp(op, "socket")) {
    long r = ret(socket((int)strtol(tok[3], NULL, 0), (int)strtol(tok[4], NULL, 0), (int)strtol(tok[5], NULL, 0)));
    if (r >= 0) setvar(tok[2], r);
    return r;
  }
  if (!strcmp(op, "bind") || !strcmp(op, "connect")) {
    size_t len; unsigned char *p = userbuf(tok[3], &len);
    patch(p, tok + 5, n - 5);
    int fd = (int)ref(tok[2]);
    socklen_t alen = (socklen_t)strtol(tok[4], NULL, 0);
    return op[0] == 'b' ? ret(bind(fd, (void *)p, alen)) : ret(connect(fd, (void *)p, alen));
  }
  if (!strcmp(op, "listen")) return ret(listen((int)ref(tok[2]), (int)strtol(tok[3], NULL, 0)));
  if (!strcmp(op, "accept")) {
    long r = ret(accept4((int)ref(tok[3]), NULL, NULL, 0));
    if (r >= 0) setvar(tok[2], r);
    return r;
  }
  if (!strcmp(op, "close")) return ret(close((int)ref(tok[2])));
  if (!strcmp(op, "getport")) {
    struct sockaddr_storage ss; socklen_t l = sizeof ss;
    memset(&ss, 0, sizeof ss);
    long r = ret(getsockname((int)ref(tok[3]), (void *)&ss, &l));
    if (r < 0) return r;
    unsigned char *b = (unsigned char *)&ss;
    long port = (b[2] << 8) | b[3];
    setvar(tok[2], port);
    return port;
  }
  if (!strcmp(op, "open")) {
    long r = ret(open(tok[3], (int)strtol(tok[4], NULL, 0)));
    if (r >= 0) setvar(tok[2], r);
    return r;
  }
  printf("SETUP bad-op %s\n", op); fflush(stdout); _exit(3);
}

struct actor { char name[32]; pthread_t th; pthread_mutex_t m; pthread_cond_t c; int job; long result; int done; };
static struct actor actors[16];
static int nactors;

static void *actor_main(void *arg) {
  struct actor *a = arg;
  pthread_mutex_lock(&a->m);
  for (;;) {
    while (a->job < 0) pthread_cond_wait(&a->c, &a->m);
    int job = a->job;
    pthread_mutex_unlock(&a->m);
    long r = run(job);
    pthread_mutex_lock(&a->m);
    a->result = r; a->job = -1; a->done = 1;
    pthread_cond_broadcast(&a->c);
  }
  return NULL;
}

static long on_actor(const char *name, int idx) {
  for (int i = 0; i < nactors; i++) {
    struct actor *a = &actors[i];
    if (strcmp(a->name, name)) continue;
    pthread_mutex_lock(&a->m);
    a->done = 0; a->job = idx;
    pthread_cond_broadcast(&a->c);
    while (!a->done) pthread_cond_wait(&a->c, &a->m);
    long r = a->result;
    pthread_mutex_unlock(&a->m);
    return r;
  }
  printf("SETUP no-actor %s\n", name); fflush(stdout); _exit(3);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--probe")) {
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, K_LANDLOCK_CREATE_RULESET_VERSION);
    printf("ABI %ld\n", abi < 0 ? -errno : abi);
    return 0;
  }
  static char script[1 << 20];
  size_t got = fread(script, 1, sizeof script - 1, stdin);
  script[got] = 0;
  for (char *s = strtok(script, "\n"); s && nlines < MAX_LINES; s = strtok(NULL, "\n")) lines[nlines++] = s;
  int nul = open("/dev/null", O_RDWR);
  if (nul < 0 || dup2(nul, 0) < 0) die("devnull");
  close(nul);
  if (unshare(CLONE_NEWNET)) die("unshare");
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr; memset(&ifr, 0, sizeof ifr);
  strcpy(ifr.ifr_name, "lo");
  if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr)) die("lo");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr)) die("lo-up");
  close(s);
  for (int i = 0; i < nlines; i++) {
    char name[32], op[32];
    if (sscanf(lines[i], "%31s %31s", name, op) != 2) die("parse");
    long r;
    if (!strcmp(op, "thread")) {
      struct actor *a = &actors[nactors++];
      char tname[32]; sscanf(lines[i], "%*s %*s %31s", tname);
      snprintf(a->name, sizeof a->name, "%s", tname);
      pthread_mutex_init(&a->m, NULL); pthread_cond_init(&a->c, NULL); a->job = -1;
      r = pthread_create(&a->th, NULL, actor_main, a) ? -EAGAIN : 0;
    } else if (!strcmp(name, "main")) {
      r = run(i);
    } else {
      r = on_actor(name, i);
    }
    printf("%d %ld\n", i, r);
    fflush(stdout);
  }
  printf("END\n");
  fflush(stdout);
  _exit(0);
}
`;
