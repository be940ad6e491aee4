import { parseQuery, route } from "@/lib/api/http";
import { ExportQuery } from "@/lib/contract/transfer";
import { exportChat, exportFilename, exportMarkdown } from "@/lib/transfer/export";

/** A download: the browser saves it under a name made from the chat's title. */
const attachment = (filename: string, type: string) => ({
  "Content-Type": type,
  "Content-Disposition": `attachment; filename="${filename}"`,
});

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route<{ sessionId: string }>({
  async GET(req, { params }) {
    const { sessionId } = await params;
    const { format } = parseQuery(ExportQuery, req);
    if (format === "md") {
      const { title, markdown } = await exportMarkdown(sessionId);
      return new Response(markdown, {
        headers: attachment(exportFilename(title, sessionId, "md"), "text/markdown; charset=utf-8"),
      });
    }
    const chat = await exportChat(sessionId);
    return new Response(JSON.stringify(chat, null, 2), {
      headers: attachment(exportFilename(chat.session.title, sessionId, "json"), "application/json"),
    });
  },
});
