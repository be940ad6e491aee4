import { after } from "next/server";
import { readJsonObject, route } from "@/lib/api/http";
import { runAnswer } from "@/lib/api/run-answer";
import { EditSchema } from "@/lib/contract/schemas";
import { parse } from "@/lib/contract/validation";
import { editMessage } from "@/lib/runs/versions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>(
  {
    async POST(req, { params }) {
      const { sessionId } = await params;
      const body = parse(EditSchema, await readJsonObject(req));
      return runAnswer(
        await editMessage(sessionId, {
          messageId: body.message_id,
          content: body.content,
          async: body.async ?? false,
          startAfter: after,
        }),
      );
    },
  },
  { sends: true },
);
