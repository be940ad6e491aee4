import { ChatShell } from "./_components/ChatShell";

/** The chat app: header, sessions sidebar and the conversation, shared by `/` and `/c/<id>`. */
export default function ChatLayout({ children }: { children: React.ReactNode }) {
  return <ChatShell>{children}</ChatShell>;
}
