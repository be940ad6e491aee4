import { route } from "@/lib/api/http";

// Compat: exactly this body, nothing more. Deeper checks live at /api/ready/.
const body = JSON.stringify({ message: "Server is up!" });

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  {
    GET: () => new Response(body, { headers: { "content-type": "application/json" } }),
  },
  { open: true },
);
