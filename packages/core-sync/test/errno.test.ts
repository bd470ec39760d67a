import { describe, expect, it } from 'vitest';
import { EACCES, EBUSY, ERR_PTR, ESRCH, IS_ERR, KernelError, PTR_ERR, errnoName, errnoNumber, EOPNOTSUPP, ENOTSUPP } from '../src/index';

describe('errno table', () => {
  it('carries the kernel numbers', () => {
    expect([EBUSY, EACCES, ESRCH, EOPNOTSUPP, ENOTSUPP]).toEqual([16, 13, 3, 95, 524]);
  });
  it('names negated return values', () => {
    expect(errnoName(-EBUSY)).toBe('EBUSY');
    expect(errnoName(0)).toBeUndefined();
    expect(errnoNumber('EACCES')).toBe(13);
  });
  it('models ERR_PTR / IS_ERR / PTR_ERR', () => {
    const p = ERR_PTR(-EBUSY);
    expect(IS_ERR(p)).toBe(true);
    expect(PTR_ERR(p)).toBe(-EBUSY);
    expect(IS_ERR({})).toBe(false);
    expect(() => ERR_PTR(5)).toThrow(RangeError);
  });
  it('KernelError carries the errno name and the return value', () => {
    const e = new KernelError(-EACCES, 'bind denied');
    expect(e.errno).toBe('EACCES');
    expect(e.ret).toBe(-13);
    expect(e.message).toBe('EACCES: bind denied');
  });
});
