import { HeartbeatWheel, type HeartbeatMember } from './heartbeat-wheel';

/** A member that records when it was called, and may do something then. */
class Member implements HeartbeatMember {
  heartbeatPrev: HeartbeatMember | undefined = undefined;
  heartbeatNext: HeartbeatMember | undefined = undefined;
  heartbeatAt = 0;
  readonly beats: number[] = [];

  constructor(private readonly onBeat: (member: Member) => void = () => undefined) {}

  onHeartbeat(): void {
    this.beats.push(Date.now());
    this.onBeat(this);
  }
}

describe('HeartbeatWheel', () => {
  let wheel: HeartbeatWheel;
  let start: number;

  beforeEach(() => {
    jest.useFakeTimers();
    start = Date.now();
    wheel = new HeartbeatWheel(1000);
  });

  afterEach(() => jest.useRealTimers());

  const at = (member: Member): number[] => member.beats.map((time) => time - start);

  it('calls a member after intervalMs of silence, and again after each further interval', () => {
    const member = new Member();
    wheel.add(member);
    jest.advanceTimersByTime(999);
    expect(at(member)).toEqual([]);
    jest.advanceTimersByTime(2001);
    expect(at(member)).toEqual([1000, 2000, 3000]);
  });

  it('counts the silence anew on every touch', () => {
    const member = new Member();
    wheel.add(member);
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(600);
      wheel.touch(member);
    }
    expect(at(member)).toEqual([]);
    jest.advanceTimersByTime(1000);
    expect(at(member)).toEqual([4000]);
  });

  it('keeps one timer for all its members, each called after its own silence', () => {
    const members = [new Member(), new Member(), new Member()];
    for (const member of members) {
      wheel.add(member);
      jest.advanceTimersByTime(250);
    }
    expect(jest.getTimerCount()).toBe(1);
    expect(wheel.size).toBe(3);
    wheel.touch(members[0]);
    jest.advanceTimersByTime(2000);
    expect(members.map(at)).toEqual([
      [1750, 2750],
      [1250, 2250],
      [1500, 2500],
    ]);
    expect(jest.getTimerCount()).toBe(1);
  });

  it('stops its timer with the last member removed, and starts it again with the next', () => {
    const [a, b] = [new Member(), new Member()];
    wheel.add(a);
    wheel.add(b);
    wheel.remove(a);
    expect(jest.getTimerCount()).toBe(1);
    wheel.remove(b);
    wheel.remove(b);
    expect(wheel.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(5000);
    expect([at(a), at(b)]).toEqual([[], []]);
    wheel.add(a);
    jest.advanceTimersByTime(1000);
    expect(at(a)).toEqual([6000]);
  });

  it('treats add() of a member it has as a touch', () => {
    const member = new Member();
    wheel.add(member);
    jest.advanceTimersByTime(800);
    wheel.add(member);
    expect(wheel.size).toBe(1);
    jest.advanceTimersByTime(999);
    expect(at(member)).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(at(member)).toEqual([1800]);
  });

  it('lets a member leave, touch itself or add another from its own call', () => {
    const late = new Member();
    const leaving = new Member((self) => wheel.remove(self));
    const touching = new Member((self) => wheel.touch(self));
    const adding = new Member(() => {
      if (!wheel.has(late)) wheel.add(late);
    });
    for (const member of [leaving, touching, adding]) wheel.add(member);
    jest.advanceTimersByTime(1000);
    expect([leaving, touching, adding].map(at)).toEqual([[1000], [1000], [1000]]);
    expect(wheel.has(leaving)).toBe(false);
    expect(wheel.size).toBe(3);
    jest.advanceTimersByTime(1000);
    expect([leaving, touching, adding, late].map(at)).toEqual([
      [1000],
      [1000, 2000],
      [1000, 2000],
      [2000],
    ]);
  });

  it('shares one wheel per interval across the process', () => {
    expect(HeartbeatWheel.shared(15_000)).toBe(HeartbeatWheel.shared(15_000));
    expect(HeartbeatWheel.shared(15_000)).not.toBe(HeartbeatWheel.shared(20_000));
  });

  it('does not keep the process alive', () => {
    const member = new Member();
    const spy = jest.spyOn(global, 'setTimeout');
    wheel.add(member);
    const timer = spy.mock.results[0].value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    spy.mockRestore();
    wheel.remove(member);
  });

  it('refuses an interval that is not positive', () => {
    expect(() => new HeartbeatWheel(0)).toThrow(RangeError);
  });
});
