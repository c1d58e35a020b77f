// A condition's next value: its lastTransitionTime moves only when its status changes.

export interface TimedCondition<Type extends string = string> {
  type: Type;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export function nextCondition<Type extends string>(
  previous: readonly TimedCondition[] | undefined,
  type: Type,
  value: Pick<TimedCondition, 'status' | 'reason' | 'message'>,
  now: Date,
): TimedCondition<Type> {
  const before = previous?.find((existing) => existing.type === type);
  return {
    type,
    ...value,
    lastTransitionTime:
      before !== undefined && before.status === value.status ? before.lastTransitionTime : now.toISOString(),
  };
}
