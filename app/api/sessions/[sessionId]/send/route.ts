import { after } from "next/server";
import { readJsonObject, route } from "@/lib/api/http";
import { runAnswer } from "@/lib/api/run-answer";
import { SendSchema } from "@/lib/contract/schemas";
import { parse } from "@/lib/contract/validation";
import { TandemError } from "@/lib/errors";
import { sendMessage } from "@/lib/runs";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>(
  {
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
        steer: body.steer ?? false,
        async: body.async ?? false,
        startAfter: after,
      });
      return runAnswer(result);
    },
  },
  { sends: true },
);
