import pino from "pino";
import { singleton } from "./singleton.ts";

/** Structured JSON logs (one line per event), level from LOG_LEVEL (default "info"). */
export const log = singleton("log", () =>
  pino({ level: process.env.LOG_LEVEL || "info", base: { service: "tandem" } }),
);
