/**
 * `npm run docs:api`: writes docs/api.md (lib/contract/api-doc.ts) and the API's TypeScript types
 * (lib/contract/client-types.ts) from the contract module.
 */
import { writeFileSync } from "node:fs";
import { renderApiDoc } from "@/lib/contract/api-doc";
import { OPENAPI_TYPES_FILE, renderOpenApiTypes } from "@/lib/contract/client-types";

writeFileSync("docs/api.md", renderApiDoc());
writeFileSync(OPENAPI_TYPES_FILE, await renderOpenApiTypes());
console.log(`wrote docs/api.md and ${OPENAPI_TYPES_FILE}`);
