/** Loading placeholders with the same footprint as the real content (no layout shift). */

export function SessionListSkeleton() {
  return (
    <div
      data-testid="sessions-skeleton"
      role="status"
      aria-busy="true"
      aria-label="Loading chats"
      className="space-y-1 px-2"
    >
      {[72, 58, 80, 64, 50].map((w, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of placeholder rows; the position is each row's identity (widths may repeat).
        <div key={i} className="rounded-control px-3 py-2">
          <div className="skeleton h-3.5" style={{ width: `${w}%` }} />
          <div className="skeleton mt-2 h-2.5 w-16" />
        </div>
      ))}
    </div>
  );
}

export function HistorySkeleton() {
  return (
    <div
      data-testid="history-skeleton"
      role="status"
      aria-busy="true"
      aria-label="Loading messages"
      className="mx-auto w-full max-w-3xl space-y-6 px-4 py-8"
    >
      <div className="flex justify-end">
        <div className="skeleton h-11 w-2/5 rounded-bubble" />
      </div>
      <div className="flex gap-3">
        <div className="skeleton h-8 w-8 shrink-0 rounded-full" />
        <div className="flex-1 space-y-2">
          <div className="skeleton h-3 w-28" />
          <div className="skeleton h-24 w-4/5 rounded-bubble" />
        </div>
      </div>
      <div className="flex gap-3">
        <div className="skeleton h-8 w-8 shrink-0 rounded-full" />
        <div className="flex-1 space-y-2">
          <div className="skeleton h-3 w-20" />
          <div className="skeleton h-32 w-11/12 rounded-bubble" />
        </div>
      </div>
    </div>
  );
}
