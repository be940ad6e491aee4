import { route } from "@/lib/api/http";
import { messageJson } from "@/lib/contract/serialize";
import { getMessage, sessionIdOfMessage } from "@/lib/db/messages";
import { notFound } from "@/lib/errors";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ id: string }>(
  {
    async GET(_req, { params }) {
      const { id } = await params;
      if (!/^\d{1,15}$/.test(id)) throw notFound();
      const message = await getMessage(Number(id));
      if (!message) throw notFound();
      return Response.json(messageJson(message));
    },
  },
  { session: ({ id }) => sessionIdOfMessage(id) },
);
