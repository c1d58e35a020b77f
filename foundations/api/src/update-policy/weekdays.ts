/** The days of the week as reboot windows (and cluster.yaml's update windows) name them. */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
