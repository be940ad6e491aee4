import { ownership } from "@/lib/accounts/access";
import { readJson, route } from "@/lib/api/http";
import { env } from "@/lib/env";
import { importChats } from "@/lib/transfer/import";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({
  async POST(req, { principal }) {
    // Exports of many chats are large: this route alone takes up to TANDEM_IMPORT_MAX_BYTES.
    const report = await importChats(await readJson(req, env.TANDEM_IMPORT_MAX_BYTES), ownership(principal));
    if (report.imported.length > 0) return Response.json(report, { status: 201 });
    return Response.json({ detail: "Nothing was imported.", ...report }, { status: 400 });
  },
});
