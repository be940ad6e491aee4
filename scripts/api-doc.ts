/** `npm run docs:api`: writes docs/api.md from the contract module (lib/contract/api-doc.ts). */
import { writeFileSync } from "node:fs";
import { renderApiDoc } from "@/lib/contract/api-doc";

writeFileSync("docs/api.md", renderApiDoc());
console.log("wrote docs/api.md");
