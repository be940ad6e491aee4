"use client";

import Link from "next/link";
import type { RefObject } from "react";
import { type ConnectionState, ConnectionStatus } from "./ConnectionStatus";
import { ExportMenu } from "./ExportMenu";
import { MenuIcon, PlusIcon, TandemMark } from "./icons";
import { ShareMenu } from "./ShareMenu";
import { TeamMenu } from "./TeamMenu";

export function Header(props: {
  connection: ConnectionState;
  onNewChat: () => void;
  creating: boolean;
  onOpenDrawer: () => void;
  drawerOpen: boolean;
  menuButtonRef: RefObject<HTMLButtonElement | null>;
  /**
   * The signed-in user's name, with accounts: a link to their settings (keys, sign-out). On a
   * phone's width it is at the foot of the chats drawer instead, where it has room.
   */
  account?: string;
}) {
  return (
    <header
      data-testid="app-header"
      className="relative z-20 flex h-14 shrink-0 items-center gap-2 border-b border-line bg-surface bg-header-gradient px-2 sm:gap-3 sm:px-4"
    >
      <button
        ref={props.menuButtonRef}
        type="button"
        data-testid="sidebar-toggle"
        onClick={props.onOpenDrawer}
        aria-label="Open chats"
        aria-haspopup="dialog"
        aria-expanded={props.drawerOpen}
        aria-controls="chats-drawer"
        className="inline-flex h-10 w-10 items-center justify-center rounded-control text-ink-soft hover:bg-subtle hover:text-ink md:hidden"
      >
        <MenuIcon size={20} />
      </button>
      <Link
        href="/"
        data-testid="brand"
        className="flex items-center gap-2.5 rounded-control px-1 py-1 text-ink"
        aria-label="Tandem — home"
      >
        <TandemMark size={28} />
        <span className="hidden text-[1.05rem] font-semibold tracking-tight sm:inline">Tandem</span>
      </Link>
      <div className="ml-auto flex min-w-0 items-center gap-1.5 sm:gap-2">
        <TeamMenu />
        <ConnectionStatus state={props.connection} />
        <ExportMenu />
        {props.account && <ShareMenu />}
        {props.account && (
          <Link
            href="/settings"
            data-testid="account-link"
            className="hidden h-9 max-w-40 items-center truncate rounded-control px-2.5 text-sm text-ink-soft hover:bg-subtle hover:text-ink sm:inline-flex"
          >
            {props.account}
          </Link>
        )}
        <button
          type="button"
          data-testid="new-session-button"
          onClick={props.onNewChat}
          disabled={props.creating}
          aria-label="New chat"
          className="inline-flex h-9 items-center gap-1.5 rounded-control bg-primary px-2.5 text-sm font-medium text-on-primary shadow-soft transition-colors hover:bg-primary-hover disabled:opacity-60 sm:px-3.5"
        >
          <PlusIcon size={18} />
          <span className="hidden sm:inline">{props.creating ? "Creating…" : "New chat"}</span>
        </button>
      </div>
    </header>
  );
}
