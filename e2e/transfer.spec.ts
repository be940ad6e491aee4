/**
 * Export and import in the chat UI (issue 13, point 3), in Chromium against the real server and
 * the offline model: the header's Export menu downloads Markdown and JSON (by keyboard and by
 * mouse), and "Import chats…" takes a file, shows the report and lists the new chats.
 */
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { seriousViolations } from "./pages/axe";
import { ChatPage } from "./pages/chat";

test("export downloads Markdown and JSON; import shows the report and the new chats in the list", async ({
  page,
  request,
}) => {
  const chat = new ChatPage(page);
  const created = await request.post("/api/sessions/", { data: { title: "Export me" } });
  const id = (await created.json()).session_id as string;
  expect(
    (await request.post(`/api/sessions/${id}/send/`, { data: { content: "What is 12 * (3 + 4)?" } })).status(),
  ).toBe(200);
  await chat.gotoSession(id);

  // Keyboard: Enter opens the menu on its first item; Escape closes it and gives focus back.
  const button = page.getByTestId("export-menu-button");
  await button.focus();
  await page.keyboard.press("Enter");
  const markdownItem = page.getByRole("menuitem", { name: "Export as Markdown" });
  await expect(markdownItem).toBeFocused();
  expect(await seriousViolations(page)).toEqual([]);
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("menuitem", { name: "Export as JSON" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("menu")).toHaveCount(0);
  await expect(button).toBeFocused();

  await page.keyboard.press("Enter");
  await expect(markdownItem).toBeFocused();
  const [markdown] = await Promise.all([page.waitForEvent("download"), page.keyboard.press("Enter")]);
  expect(markdown.suggestedFilename()).toMatch(/^tandem-export-me-\d{4}-\d{2}-\d{2}\.md$/);
  const md = readFileSync((await markdown.path())!, "utf8");
  expect(md).toContain("# Export me");
  expect(md).toMatch(/^### You · .*\n\nWhat is 12 \* \(3 \+ 4\)\?$/m);
  expect(md).toContain("**Tool call (researcher):** `calculator`");

  // Mouse: JSON.
  await button.click();
  const [json] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-json").click()]);
  expect(json.suggestedFilename()).toMatch(/^tandem-export-me-.*\.json$/);
  const exported = JSON.parse(readFileSync((await json.path())!, "utf8"));
  expect(exported.format).toBe("tandem.chat");

  // Import ChatGPT's conversations.json: the report, then the chats in the list.
  const importer = page.getByTestId("import-chats").filter({ visible: true });
  await expect(importer.getByRole("button", { name: "Import chats…" })).toBeVisible();
  await importer.getByTestId("import-file-input").setInputFiles("test/fixtures/import/chatgpt-conversations.json");
  const report = importer.getByTestId("import-report");
  await expect(report).toContainText("2 imported");
  await expect(report).toContainText("Left out 1 × system message");
  await expect(report).toContainText("Left out 1 × image asset pointer");
  // Imported chats keep their dates (January 2025 here), so the list finds them by name.
  await chat.filter.fill("Bicycle gears");
  await expect(chat.sessionItems().filter({ hasText: "Bicycle gears" })).toHaveCount(1);
  await chat.filter.fill("Sourdough starter");
  await expect(chat.sessionItems().filter({ hasText: "Sourdough starter" })).toHaveCount(1);
  await chat.filter.fill("");
  expect(await seriousViolations(page)).toEqual([]);

  // The chat Tandem exported comes back as a second copy.
  await importer.getByTestId("import-file-input").setInputFiles((await json.path())!);
  await expect(report).toContainText("1 imported");
  await expect(chat.sessionItems().filter({ hasText: "Export me" })).toHaveCount(2);

  // A file that is not an export says so.
  await importer
    .getByTestId("import-file-input")
    .setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"hello": 1}') });
  await expect(importer.getByTestId("import-error")).toContainText("Unknown format");

  await importer.getByTestId("import-file-input").setInputFiles("test/fixtures/import/chatgpt-conversations.json");
  await report.getByRole("link", { name: "Bicycle gears" }).click();
  await expect(page.getByTestId("conversation")).toContainText("Your lowest gear is 34/28");
});
