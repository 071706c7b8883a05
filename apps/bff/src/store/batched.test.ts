/**
 * batched(): the calls of one moment are written together, those made during a write wait for
 * the next, each caller gets its own answer, and a failed write fails only its batch's callers.
 */
import { describe, expect, it } from 'vitest';
import { batched } from './batched.ts';

function recorder(fail: (items: readonly number[]) => boolean = () => false) {
  const batches: number[][] = [];
  const write = batched<number, number>(async (items) => {
    batches.push([...items]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (fail(items)) throw new Error('the write failed');
    return items.map((n) => n * 10);
  }, 4);
  return { batches, write };
}

describe('batched', () => {
  it('writes the calls of one moment together and answers each with its own result', async () => {
    const { batches, write } = recorder();
    expect(await Promise.all([1, 2, 3].map(write))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('keeps calls made during a write for the next one, and splits at the most per batch', async () => {
    const { batches, write } = recorder();
    const first = Promise.all([1, 2, 3, 4, 5, 6].map(write));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const later = write(7);
    expect(await first).toEqual([10, 20, 30, 40, 50, 60]);
    expect(await later).toBe(70);
    expect(batches).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7],
    ]);
  });

  it('fails the callers of a failed write only, and goes on with the next', async () => {
    const { batches, write } = recorder((items) => items.includes(2));
    const failed = Promise.allSettled([1, 2].map(write));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const next = write(3);
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await next).toBe(30);
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it('writes a call made after an idle moment on its own', async () => {
    const { batches, write } = recorder();
    expect(await write(1)).toBe(10);
    expect(await write(2)).toBe(20);
    expect(batches).toEqual([[1], [2]]);
  });
});
