import { TandemMark } from "@/app/(chat)/_components/icons";
import { NavLinks } from "@/app/admin/_components/NavLinks";
import { logoutAction } from "@/app/admin/actions";
import { currentAdmin } from "@/lib/admin/next";

/**
 * The signed-in admin's frame: header, navigation, sign-out. Each page checks the session
 * itself too (a layout is not re-rendered on every client navigation).
 */
export default async function PanelLayout({ children }: { children: React.ReactNode }) {
  const admin = await currentAdmin();
  // Signed out: no frame; the page itself redirects to the login page (keeping `?next=`).
  if (!admin) return <>{children}</>;
  return (
    <div className="flex min-h-dvh flex-col">
      <header
        data-testid="admin-header"
        className="sticky top-0 z-20 flex h-14 shrink-0 items-center gap-3 border-b border-line bg-surface bg-header-gradient px-3 sm:px-5"
      >
        <a href="/admin" className="flex items-center gap-2.5 text-ink" data-testid="admin-brand">
          <TandemMark size={26} />
          <span className="text-[1.05rem] font-semibold tracking-tight">Tandem</span>
          <span className="rounded-full bg-secondary-soft px-2 py-0.5 text-xs font-semibold text-secondary-ink">
            admin
          </span>
        </a>
        <div className="ml-auto flex items-center gap-3 text-sm">
          <a href="/" className="hidden text-primary-ink hover:underline sm:inline">
            Open chat
          </a>
          <span className="hidden text-muted sm:inline" data-testid="admin-username">
            {admin.username}
          </span>
          <form action={logoutAction}>
            <input type="hidden" name="csrf_token" value={admin.csrfToken} />
            <button
              type="submit"
              data-testid="logout-button"
              className="h-8 rounded-control border border-line bg-surface px-3 text-sm font-medium text-ink hover:bg-subtle"
            >
              Sign out
            </button>
          </form>
        </div>
      </header>
      <div className="mx-auto flex w-full max-w-7xl flex-1 flex-col md:flex-row">
        <NavLinks />
        <main id="admin-main" className="min-w-0 flex-1 px-3 py-5 sm:px-6">
          {children}
        </main>
      </div>
    </div>
  );
}
