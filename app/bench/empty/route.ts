import { env } from "@/lib/env";

// The framework's own ceiling: an empty route handler on the same server, which `npm run bench`
// measures beside the API's handlers.
export function GET() {
  return new Response("{}", { headers: { "content-type": "application/json" } });
}

// The floor under a send's acknowledgement (404 unless TANDEM_BENCH=1): a POST whose JSON body
// is read and answered, with nothing stored.
export async function POST(req: Request) {
  if (env.TANDEM_BENCH !== "1") return Response.json({ detail: "Not found." }, { status: 404 });
  return Response.json(await req.json(), { status: 202 });
}
