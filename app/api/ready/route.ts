import { route } from "@/lib/api/http";
import { readiness } from "@/lib/ops/readiness";

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = route(
  {
    async GET() {
      const report = await readiness();
      return Response.json(report, { status: report.ok ? 200 : 503 });
    },
  },
  { open: true },
);
