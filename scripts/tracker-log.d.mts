/** Counts events per reason and prints one line per period (and on close), never a line per event. */
export declare class EventSummary {
  constructor(options: {
    print: (line: string) => void;
    periodMs?: number;
    now?: () => number;
    setInterval?: (fn: () => void, ms: number) => unknown;
    clearInterval?: (timer: unknown) => void;
  });
  count(reason: string, detail?: string): void;
  flush(): void;
  close(): void;
}
