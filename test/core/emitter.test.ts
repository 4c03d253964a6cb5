import { describe, expect, expectTypeOf, it } from 'vitest';
import { Emitter, type Listener } from '../../src/core/emitter.js';

interface Events {
  count: number;
  name: string;
  done: undefined;
}

describe('emitter', () => {
  it('calls every listener of an event, in the order they were added, with its value; none of another event', () => {
    const e = new Emitter<Events>();
    const calls: string[] = [];
    e.on('count', (n) => calls.push(`first ${n}`));
    e.on('count', (n) => calls.push(`second ${n}`));
    e.on('name', (s) => calls.push(`name ${s}`));
    e.emit('count', 3);
    expect(calls).toEqual(['first 3', 'second 3']);
    e.emit('name', 'x');
    e.emit('done', undefined);
    expect(calls).toEqual(['first 3', 'second 3', 'name x']);
  });

  it('does nothing for an event nobody listens to', () => {
    const e = new Emitter<Events>();
    expect(() => e.emit('done', undefined)).not.toThrow();
  });

  it('the function that `on` returns stops that listener alone, and may be called twice', () => {
    const e = new Emitter<Events>();
    const calls: string[] = [];
    const stopA = e.on('count', (n) => calls.push(`a ${n}`));
    e.on('count', (n) => calls.push(`b ${n}`));
    e.emit('count', 1);
    stopA();
    e.emit('count', 2);
    stopA();
    e.emit('count', 3);
    expect(calls).toEqual(['a 1', 'b 1', 'b 2', 'b 3']);
  });

  it('a function added twice for one event is called once, and stopped by either unsubscribe', () => {
    const e = new Emitter<Events>();
    const seen: number[] = [];
    const fn = (n: number) => void seen.push(n);
    const stop1 = e.on('count', fn);
    e.on('count', fn);
    e.emit('count', 1);
    stop1();
    e.emit('count', 2);
    expect(seen).toEqual([1]);
  });

  it('a listener may unsubscribe itself while the event is emitted', () => {
    const e = new Emitter<Events>();
    const seen: number[] = [];
    const stop = e.on('count', (n) => {
      seen.push(n);
      stop();
    });
    e.on('count', (n) => seen.push(-n));
    e.emit('count', 1);
    e.emit('count', 2);
    expect(seen).toEqual([1, -1, -2]);
  });

  it('is typed by its event map', () => {
    const e = new Emitter<Events>();
    expectTypeOf(e.on<'count'>)
      .parameter(1)
      .toEqualTypeOf<Listener<number>>();
    expectTypeOf(e.on('name', () => {})).toEqualTypeOf<() => void>();
    e.on('name', (s) => expectTypeOf(s).toEqualTypeOf<string>());
    // @ts-expect-error: a count is a number
    e.emit('count', 'three');
    // @ts-expect-error: no such event
    e.on('nothing', () => {});
    // @ts-expect-error: the listener of `name` takes a string
    e.on('name', (n: number) => n);
  });
});
