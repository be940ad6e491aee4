import { requireUserPage } from "@/lib/accounts/next";
import { ChatShell } from "./_components/ChatShell";

/**
 * The chat app: header, sessions sidebar and the conversation, shared by `/` and `/c/<id>`.
 * With accounts, signed-in people only.
 */
export default async function ChatLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUserPage();
  return <ChatShell account={user?.name}>{children}</ChatShell>;
}
