import { after } from "next/server";
import { readJsonObject, route } from "@/lib/api/http";
import { runAnswer } from "@/lib/api/run-answer";
import { RunTargetSchema } from "@/lib/contract/schemas";
import { parse } from "@/lib/contract/validation";
import { regenerate } from "@/lib/runs/versions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async POST(req, { params }) {
    const { sessionId } = await params;
    const body = parse(RunTargetSchema, await readJsonObject(req));
    return runAnswer(
      await regenerate(sessionId, { runId: body.run_id, async: body.async ?? false, startAfter: after }),
    );
  },
});
