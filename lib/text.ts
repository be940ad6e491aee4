/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069). In a
 * title they make text render in another order than it is stored ("gnp.exe" shows as
 * "exe.png"), so titles are stored without them and shown without them (rows stored earlier may
 * hold some). The marks U+200E, U+200F and U+061C stay: right-to-left text needs them, and they
 * cannot reverse a run of letters.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export const withoutBidiControls = (text: string): string => text.replace(BIDI_CONTROLS, "");
