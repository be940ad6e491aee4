import { route } from "@/lib/api/http";
import { openApiDocument } from "@/lib/contract/openapi";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  {
    GET: () => Response.json(openApiDocument()),
  },
  { open: true },
);
