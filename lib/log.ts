import pino from "pino";
import { env } from "./env";
import { singleton } from "./singleton";

/** Structured JSON logs (one line per event), level from LOG_LEVEL (default "info"). */
export const log = singleton("log", () => pino({ level: env.LOG_LEVEL, base: { service: "tandem" } }));
