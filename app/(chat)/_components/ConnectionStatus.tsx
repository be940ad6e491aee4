"use client";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

const LABEL: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

const DOT: Record<ConnectionState, string> = {
  connecting: "bg-secondary animate-pulse",
  connected: "bg-success",
  reconnecting: "bg-secondary animate-pulse",
  offline: "bg-danger",
};

/** The connection pill in the header. A status role, so changes are announced politely. */
export function ConnectionStatus({ state }: { state: ConnectionState }) {
  return (
    <div
      role="status"
      data-testid="connection-status"
      data-state={state}
      title={
        state === "connected"
          ? "Live updates are on"
          : state === "offline"
            ? "No network connection"
            : "Trying to reach the Tandem server"
      }
      className="inline-flex h-8 items-center gap-2 rounded-full border border-line bg-surface/70 px-2.5 text-xs font-medium text-ink-soft"
    >
      <span className={`h-2 w-2 rounded-full ${DOT[state]}`} aria-hidden />
      <span className={state === "connected" ? "sr-only sm:not-sr-only" : ""}>{LABEL[state]}</span>
    </div>
  );
}
