import { after } from "next/server";
import { readJsonObject, route } from "@/lib/api/http";
import { SendSchema } from "@/lib/contract/schemas";
import { messageJson } from "@/lib/contract/serialize";
import { parse } from "@/lib/contract/validation";
import { TandemError } from "@/lib/errors";
import { sendMessage } from "@/lib/runs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async POST(req, { params }) {
    const { sessionId } = await params;
    const raw = await readJsonObject(req);
    if (
      raw.content === undefined ||
      raw.content === null ||
      (typeof raw.content === "string" && raw.content.trim() === "")
    ) {
      throw new TandemError("bad_request", "content is required");
    }
    const body = parse(SendSchema, raw);
    const result = await sendMessage({
      sessionId,
      content: body.content,
      async: body.async ?? false,
      startAfter: after,
    });
    if (result.kind === "accepted") {
      return Response.json({ run_id: result.runId, message: result.message }, { status: 202 });
    }
    const { outcome } = result;
    if (outcome.status === "error") {
      throw new TandemError("bad_gateway", outcome.error ?? "The run failed.", { extra: { run_id: outcome.runId } });
    }
    return Response.json(outcome.messages.map(messageJson));
  },
});
