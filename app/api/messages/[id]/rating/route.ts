import { readJsonObject, route } from "@/lib/api/http";
import { RateMessageSchema } from "@/lib/contract/schemas";
import { parse } from "@/lib/contract/validation";
import { sessionIdOfMessage } from "@/lib/db/messages";
import { notFound } from "@/lib/errors";
import { rateMessage } from "@/lib/sessions";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ id: string }>(
  {
    async PUT(req, { params }) {
      const { id } = await params;
      if (!/^\d{1,15}$/.test(id)) throw notFound();
      const body = parse(RateMessageSchema, await readJsonObject(req));
      return Response.json(await rateMessage(Number(id), body.rating));
    },
  },
  { session: ({ id }) => sessionIdOfMessage(id) },
);
