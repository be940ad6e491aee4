import { route } from "@/lib/api/http";

// The API's root: where to start (also what a `..` path segment under /api/ resolves to).
const index = {
  name: "Tandem API",
  docs: "/docs",
  openapi: "/api/openapi.json",
  health: "/api/health/",
  sessions: "/api/sessions/",
  messages: "/api/messages/",
  agents: "/api/agents/",
  tools: "/api/tools/",
  websocket: "/ws/chat/{session_id}/",
};

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route({ GET: () => Response.json(index) });
