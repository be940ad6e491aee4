import { readJsonObject, route } from "@/lib/api/http";
import { QueueEditSchema } from "@/lib/contract/schemas";
import { parse } from "@/lib/contract/validation";
import { notFound } from "@/lib/errors";
import { editQueued, removeFromQueue } from "@/lib/runs/queue";

const runIdOf = (raw: string) => {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) throw notFound();
  return id;
};

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string; runId: string }>({
  async PATCH(req, { params }) {
    const { sessionId, runId } = await params;
    const body = parse(QueueEditSchema, await readJsonObject(req));
    return Response.json(await editQueued(sessionId, runIdOf(runId), body.content));
  },
  async DELETE(_req, { params }) {
    const { sessionId, runId } = await params;
    await removeFromQueue(sessionId, runIdOf(runId));
    return new Response(null, { status: 204 });
  },
});
