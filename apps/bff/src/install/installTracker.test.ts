import { describe, expect, it } from 'vitest';
import { InstallTracker } from './installTracker.ts';

describe('InstallTracker', () => {
  it('calls onEnded once when a running install is seen ending', () => {
    const ended: string[] = [];
    const tracker = new InstallTracker((sn) => ended.push(sn));
    tracker.observe('a', 'idle');
    expect(ended).toEqual([]);
    tracker.markRunning('a');
    expect(tracker.isKnownRunning('a')).toBe(true);
    tracker.observe('a', 'running');
    tracker.observe('a', 'done');
    tracker.observe('a', 'done');
    expect(ended).toEqual(['a']);
    expect(tracker.isKnownRunning('a')).toBe(false);
  });
});
