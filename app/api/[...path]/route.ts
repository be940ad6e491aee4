import { notFound } from "@/lib/errors";

// An unknown path under /api/ is a JSON 404, whatever the method.
const answer = () => notFound().toResponse();

export { answer as GET, answer as POST, answer as PUT, answer as PATCH, answer as DELETE, answer as OPTIONS };
