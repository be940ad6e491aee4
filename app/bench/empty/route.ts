// The framework's own ceiling: an empty route handler on the same server, which `npm run bench`
// measures beside the API's handlers.
export function GET() {
  return new Response("{}", { headers: { "content-type": "application/json" } });
}
