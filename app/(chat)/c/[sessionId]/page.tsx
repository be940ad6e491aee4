import { ConversationView } from "@/app/(chat)/_components/ConversationView";

function decode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** `/c/<session_id>`: a deep link to one conversation. Keyed by id so each session gets fresh state. */
export default async function SessionPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  const id = decode(sessionId);
  return <ConversationView key={id} sessionId={id} />;
}
