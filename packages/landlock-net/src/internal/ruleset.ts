// security/landlock/ruleset.c and ruleset.h (v6.18): rulesets and domains,
// landlock_create_ruleset, landlock_insert_rule, landlock_merge_ruleset,
// landlock_find_rule, landlock_init_layer_masks, landlock_unmask_layers.
// Only the network half (root_net_port) is modelled; filesystem access masks
// are kept so that a ruleset handling only fs accesses behaves as it does.
// Seed 003 reviews tests that exercise exactly these paths.
import { E2BIG, EINVAL, ENOMSG, ERR_PTR, type ErrPtr } from '@k/core-sync';
import { LANDLOCK_MAX_NUM_LAYERS, LANDLOCK_MAX_NUM_RULES } from './uapi';

/** access_mask_t (u32 in the kernel) */
export type access_mask_t = number;
/** layer_mask_t: one bit per layer (u16 in the kernel, LANDLOCK_MAX_NUM_LAYERS = 16). */
export type layer_mask_t = number;

/** struct access_masks: the handled accesses of one layer. */
export interface access_masks {
  fs: bigint;
  net: access_mask_t;
  scope: number;
}

/** struct landlock_layer */
export interface landlock_layer {
  /** 0 in a ruleset, 1..16 in a domain. */
  readonly level: number;
  access: access_mask_t;
}

/** struct landlock_rule, keyed by the port in network byte order (LANDLOCK_KEY_NET_PORT). */
export interface landlock_rule {
  /** key.data: htons(port) as the CPU holds it. */
  readonly key: number;
  readonly num_layers: number;
  readonly layers: readonly landlock_layer[];
}

/**
 * A lock as the kernel would take it (ruleset->lock is a mutex). The model is
 * sequential today; @k/core-sync scenarios give it a real mutex so that rule
 * insertion racing with enforcement can be explored.
 */
export interface ModelLock {
  lock(): void;
  unlock(): void;
}
const NO_LOCK: ModelLock = { lock() {}, unlock() {} };

/** struct landlock_hierarchy: a domain's node in the tree of nested domains. */
export interface landlock_hierarchy {
  readonly parent: landlock_hierarchy | null;
}

let nextRulesetId = 1;

/** struct landlock_ruleset: a ruleset (num_layers == 1, levels 0) or a domain. */
export class landlock_ruleset {
  /** A stable id for explanations and tests (not a kernel field). */
  readonly id = nextRulesetId++;
  /** root_net_port: an rb-tree in the kernel, keyed by the big-endian port. */
  readonly root_net_port = new Map<number, landlock_rule>();
  num_rules = 0;
  usage = 1;
  lock: ModelLock = NO_LOCK;
  /** A domain's place among nested domains (null for a ruleset). */
  hierarchy: landlock_hierarchy | null = null;
  /**
   * Per access request, the result of landlock_init_layer_masks() on this
   * domain (a domain never changes once merged, so it is computed once). Not
   * a kernel field: the kernel recomputes it at each check.
   */
  /** handled_net_accesses() of a domain, computed once. */
  handled_net_cache: access_mask_t | undefined = undefined;
  readonly layer_masks_cache = new Map<access_mask_t, { handled: access_mask_t; masks: readonly layer_mask_t[] }>();
  /** hierarchy->log_same_exec / log_new_exec (ABI 7), kept for fidelity. */
  log_same_exec = true;
  log_new_exec = false;

  constructor(
    readonly num_layers: number,
    readonly access_masks: access_masks[],
  ) {}
}

/** create_ruleset() */
function create_ruleset(num_layers: number): landlock_ruleset {
  const masks: access_masks[] = [];
  for (let i = 0; i < num_layers; i++) masks.push({ fs: 0n, net: 0, scope: 0 });
  return new landlock_ruleset(num_layers, masks);
}

/**
 * landlock_create_ruleset(): a new one-layer ruleset; -ENOMSG when it would
 * handle nothing ("Informs about useless ruleset").
 */
export function landlock_create_ruleset(
  fs_access_mask: bigint,
  net_access_mask: access_mask_t,
  scope_mask: number,
): landlock_ruleset | ErrPtr {
  if (!fs_access_mask && !net_access_mask && !scope_mask) return ERR_PTR(-ENOMSG);
  const r = create_ruleset(1);
  const m = r.access_masks[0]!;
  m.fs = fs_access_mask;
  m.net = net_access_mask;
  m.scope = scope_mask;
  return r;
}

/** The union of the network accesses a domain's layers handle (get_raw_handled_net_accesses()). */
export function handled_net_accesses(domain: landlock_ruleset): access_mask_t {
  if (domain.hierarchy !== null && domain.handled_net_cache !== undefined) return domain.handled_net_cache;
  let handled = 0;
  for (let l = 0; l < domain.num_layers; l++) handled |= landlock_get_net_access_mask(domain, l);
  if (domain.hierarchy !== null) domain.handled_net_cache = handled;
  return handled;
}

export function landlock_get_net_access_mask(ruleset: landlock_ruleset, layer_level: number): access_mask_t {
  return ruleset.access_masks[layer_level]?.net ?? 0;
}

export function landlock_get_scope_mask(ruleset: landlock_ruleset, layer_level: number): number {
  return ruleset.access_masks[layer_level]?.scope ?? 0;
}

/** create_rule(): copies @layers and appends @new_layer (a merge into a domain). */
function create_rule(
  key: number,
  layers: readonly landlock_layer[],
  new_layer: landlock_layer | null,
): landlock_rule | ErrPtr {
  let new_num_layers = layers.length;
  if (new_layer) {
    // Should already be checked by landlock_merge_ruleset().
    if (layers.length >= LANDLOCK_MAX_NUM_LAYERS) return ERR_PTR(-E2BIG);
    new_num_layers++;
  }
  const copy = layers.map((l) => ({ level: l.level, access: l.access }));
  if (new_layer) copy.push({ level: new_layer.level, access: new_layer.access });
  return { key, num_layers: new_num_layers, layers: copy };
}

/**
 * insert_rule(): adds or updates the rule of @key. A level-0 layer comes from
 * landlock_add_rule(2) and ORs its rights into an existing rule; a layer with a
 * level comes from a merge and is appended.
 */
function insert_rule(ruleset: landlock_ruleset, key: number, layers: readonly landlock_layer[]): number {
  const num_layers = layers.length;
  const existing = ruleset.root_net_port.get(key);
  if (existing) {
    // Only a single-level layer should match an existing rule.
    if (num_layers !== 1) return -EINVAL;
    const layer = layers[0]!;
    if (layer.level === 0) {
      if (existing.num_layers !== 1 || existing.layers[0]!.level !== 0) return -EINVAL;
      (existing.layers[0] as landlock_layer).access |= layer.access;
      return 0;
    }
    if (existing.layers[0]!.level === 0) return -EINVAL;
    const replaced = create_rule(key, existing.layers, layer);
    if (!('layers' in replaced)) return replaced.errno;
    ruleset.root_net_port.set(key, replaced);
    return 0;
  }
  if (ruleset.num_rules >= LANDLOCK_MAX_NUM_RULES) return -E2BIG;
  const rule = create_rule(key, layers, null);
  if (!('layers' in rule)) return rule.errno;
  ruleset.root_net_port.set(key, rule);
  ruleset.num_rules++;
  return 0;
}

/** landlock_insert_rule(): called with ruleset->lock held. */
export function landlock_insert_rule(ruleset: landlock_ruleset, key: number, access: access_mask_t): number {
  return insert_rule(ruleset, key, [{ level: 0, access }]);
}

/** merge_ruleset(): copies @src's rules into @dst as the layer dst->num_layers. */
function merge_ruleset(dst: landlock_ruleset, src: landlock_ruleset): number {
  // Should already be checked by the caller.
  if (src.num_layers !== 1 || dst.num_layers < 1) return -EINVAL;
  // Locks @dst first because we are its only owner.
  dst.lock.lock();
  src.lock.lock();
  try {
    const top = dst.access_masks[dst.num_layers - 1]!;
    const m = src.access_masks[0]!;
    top.fs = m.fs;
    top.net = m.net;
    top.scope = m.scope;
    for (const rule of src.root_net_port.values()) {
      const err = insert_rule(dst, rule.key, [{ level: dst.num_layers, access: rule.layers[0]!.access }]);
      if (err) return err;
    }
    return 0;
  } finally {
    src.lock.unlock();
    dst.lock.unlock();
  }
}

/** inherit_ruleset(): copies the parent domain's layers and rules into @child. */
function inherit_ruleset(parent: landlock_ruleset | null, child: landlock_ruleset): number {
  if (!parent) return 0;
  parent.lock.lock();
  try {
    for (const rule of parent.root_net_port.values()) {
      const err = insert_rule(child, rule.key, rule.layers);
      if (err) return err;
    }
    if (child.num_layers <= parent.num_layers) return -EINVAL;
    for (let i = 0; i < parent.num_layers; i++) {
      const p = parent.access_masks[i]!;
      child.access_masks[i] = { fs: p.fs, net: p.net, scope: p.scope };
    }
    return 0;
  } finally {
    parent.lock.unlock();
  }
}

/**
 * landlock_merge_ruleset(): the domain of the next restriction, a new object
 * holding a copy of @parent's layers and of @ruleset's rules as they are now:
 * rules added to @ruleset later never reach it. -E2BIG past 16 layers.
 */
export function landlock_merge_ruleset(
  parent: landlock_ruleset | null,
  ruleset: landlock_ruleset,
): landlock_ruleset | ErrPtr {
  if (parent === ruleset) return ERR_PTR(-EINVAL);
  let num_layers: number;
  if (parent) {
    if (parent.num_layers >= LANDLOCK_MAX_NUM_LAYERS) return ERR_PTR(-E2BIG);
    num_layers = parent.num_layers + 1;
  } else {
    num_layers = 1;
  }
  const new_dom = create_ruleset(num_layers);
  new_dom.hierarchy = { parent: parent?.hierarchy ?? null };
  let err = inherit_ruleset(parent, new_dom);
  if (err) return ERR_PTR(err);
  err = merge_ruleset(new_dom, ruleset);
  if (err) return ERR_PTR(err);
  return new_dom;
}

/** landlock_find_rule() */
export function landlock_find_rule(ruleset: landlock_ruleset, key: number): landlock_rule | null {
  return ruleset.root_net_port.get(key) ?? null;
}

/**
 * landlock_init_layer_masks(): for each requested access, which layers handle
 * it (one bit per layer). Returns the handled subset of @access_request.
 */
export function landlock_init_layer_masks(
  domain: landlock_ruleset,
  access_request: access_mask_t,
  layer_masks: layer_mask_t[],
  num_access: number,
): access_mask_t {
  const cacheable = domain.hierarchy !== null;
  const cached = cacheable ? domain.layer_masks_cache.get(access_request) : undefined;
  if (cached && cached.masks.length === num_access) {
    layer_masks.length = num_access;
    for (let i = 0; i < num_access; i++) layer_masks[i] = cached.masks[i]!;
    return cached.handled;
  }
  let handled_accesses = 0;
  layer_masks.length = num_access;
  layer_masks.fill(0);
  if (!access_request) return 0;
  for (let layer_level = 0; layer_level < domain.num_layers; layer_level++) {
    const access_mask = landlock_get_net_access_mask(domain, layer_level);
    for (let access_bit = 0; access_bit < num_access; access_bit++) {
      if (!(access_request & (1 << access_bit))) continue;
      if ((1 << access_bit) & access_mask) {
        layer_masks[access_bit]! |= 1 << layer_level;
        handled_accesses |= 1 << access_bit;
      }
    }
  }
  if (cacheable) domain.layer_masks_cache.set(access_request, { handled: handled_accesses, masks: layer_masks.slice() });
  return handled_accesses;
}

/**
 * landlock_unmask_layers(): clears in @layer_masks the layers whose layer of
 * @rule grants the access; true when no layer is left denying anything.
 */
export function landlock_unmask_layers(
  rule: landlock_rule | null,
  access_request: access_mask_t,
  layer_masks: layer_mask_t[],
): boolean {
  if (!access_request) return true;
  if (!rule) return false;
  // An access is granted if, for each policy layer, the rule grants it.
  for (const layer of rule.layers) {
    const layer_bit = 1 << (layer.level - 1);
    let is_empty = true;
    for (let access_bit = 0; access_bit < layer_masks.length; access_bit++) {
      if (!(access_request & (1 << access_bit))) continue;
      if (layer.access & (1 << access_bit)) layer_masks[access_bit]! &= ~layer_bit;
      is_empty = is_empty && !layer_masks[access_bit];
    }
    if (is_empty) return true;
  }
  return false;
}

/**
 * The youngest layer still denying after landlock_unmask_layers(), as
 * security/landlock/audit.c (get_denied_layer) reports it: its 1-based level
 * and the access bit it denies.
 */
export function get_denied_layer(layer_masks: readonly layer_mask_t[]): { level: number; access_bit: number } | null {
  let best: { level: number; access_bit: number } | null = null;
  layer_masks.forEach((mask, access_bit) => {
    if (!mask) return;
    const youngest = 31 - Math.clz32(mask);
    if (!best || youngest + 1 > best.level) best = { level: youngest + 1, access_bit };
  });
  return best;
}
