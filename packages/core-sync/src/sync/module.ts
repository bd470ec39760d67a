// Module reference counts (kernel/module/main.c): try_module_get() fails once
// the module is going away; module_put() drops a reference.

import { A_SYNC, BLOCK_NONE, Op, RT, type KGen } from '../internal/rt/kernel';
import { Violation } from '../internal/rt/violation';
import { EWOULDBLOCK } from '../errno';
import { here } from './context';

export const MODULE_STATE_LIVE = 0;
export const MODULE_STATE_COMING = 1;
export const MODULE_STATE_GOING = 2;
export const MODULE_STATE_UNFORMED = 3;

/** struct module (the parts refcounting needs) */
export class Module {
  refcnt = 0;
  state = MODULE_STATE_LIVE;
  readonly op: Op;
  constructor(readonly name: string) {
    this.op = new Op(`module(${name})`, this, BLOCK_NONE, A_SYNC);
  }
}
export type module = Module;

export function THIS_MODULE(name: string): Module {
  return new Module(name);
}

/** try_module_get(): false if the module is being removed; NULL (built-in) always succeeds. */
export function* try_module_get(mod: Module | null): KGen<boolean> {
  if (!mod) return true;
  here();
  yield mod.op;
  if (mod.state !== MODULE_STATE_LIVE && mod.state !== MODULE_STATE_COMING) return false;
  mod.refcnt++;
  if (RT.trace) RT.note(`${mod.name} refcnt ${mod.refcnt}`);
  return true;
}
/** __module_get(): takes a reference unconditionally. */
export function* __module_get(mod: Module | null): KGen {
  if (!mod) return;
  here();
  yield mod.op;
  mod.refcnt++;
}
/** module_put() */
export function* module_put(mod: Module | null): KGen {
  if (!mod) return;
  here();
  yield mod.op;
  if (mod.refcnt === 0) throw new Violation('refcount', `module_put(${mod.name}): reference count underflow`);
  mod.refcnt--;
  if (RT.trace) RT.note(`${mod.name} refcnt ${mod.refcnt}`);
}
export function module_refcount(mod: Module): number {
  return mod.refcnt;
}
/** delete_module(): -EWOULDBLOCK while references are held, else the module goes away. */
export function* delete_module(mod: Module): KGen<number> {
  here();
  yield mod.op;
  if (mod.refcnt > 0) return -EWOULDBLOCK;
  mod.state = MODULE_STATE_GOING;
  return 0;
}
