"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  ["/admin", "Dashboard"],
  ["/admin/agents", "Agents"],
  ["/admin/teams", "Teams"],
  ["/admin/tools", "Tools"],
  ["/admin/sessions", "Sessions"],
  ["/admin/messages", "Messages"],
  ["/admin/runs", "Runs"],
] as const;

export function NavLinks() {
  const path = usePathname();
  return (
    <nav
      aria-label="Admin"
      data-testid="admin-nav"
      className="shrink-0 border-b border-line bg-surface md:w-52 md:border-r md:border-b-0 md:bg-transparent"
    >
      <ul className="flex gap-1 overflow-x-auto px-2 py-2 md:flex-col md:px-3 md:py-5">
        {LINKS.map(([href, label]) => {
          const active = href === "/admin" ? path === "/admin" : path === href || path.startsWith(`${href}/`);
          return (
            <li key={href}>
              <Link
                href={href}
                data-testid={`nav-${label.toLowerCase()}`}
                aria-current={active ? "page" : undefined}
                className={`block whitespace-nowrap rounded-control px-3 py-2 text-sm font-medium ${
                  active ? "bg-primary-soft text-primary-ink" : "text-ink-soft hover:bg-subtle hover:text-ink"
                }`}
              >
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
