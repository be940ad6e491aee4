/** The API reference at /docs: complete, readable in light and dark, axe-clean, on desktop and phone. */
import { expect, test } from "@playwright/test";
import { seriousViolations } from "./pages/axe";

for (const scheme of ["light", "dark"] as const) {
  test(`the API docs list every operation with a curl example and every event, axe-clean (${scheme})`, async ({
    page,
    request,
  }, testInfo) => {
    const spec = await (await request.get("/api/openapi.json")).json();
    const operations = Object.values(spec.paths as Record<string, object>).flatMap((ops) => Object.values(ops));
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: "reduce" });
    await page.goto("/docs");
    await expect(page.getByRole("heading", { level: 1, name: "Tandem API" })).toBeVisible();
    await expect(page.getByTestId("operation")).toHaveCount(operations.length);
    await expect(page.getByTestId("curl")).toHaveCount(operations.length);
    await expect(page.getByTestId("curl").filter({ hasText: "/send/" }).first()).toContainText('-d \'{"content":');
    for (const section of ["Authentication", "Rate limits", "Errors", "WebSocket events"]) {
      await expect(page.getByRole("heading", { level: 2, name: section })).toBeVisible();
    }
    await expect(page.getByTestId("event-row").filter({ hasText: "agent_token" })).toHaveCount(1);
    // Descriptions' `code` is rendered as code, never as literal backticks.
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point (closed schema details are not shown).
    expect(await page.locator("main").innerText()).not.toContain("`");
    // The contents link to each operation.
    await page.getByRole("navigation", { name: "Contents" }).getByRole("link", { name: "sendMessage" }).click();
    await expect(page).toHaveURL(/#op-sendMessage$/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: testInfo.outputPath(`docs-${scheme}.png`) });

    for (const width of [390, 360]) {
      await page.setViewportSize({ width, height: 844 });
      await page.goto("/docs");
      expect(await seriousViolations(page)).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `at ${width} px`).toBeLessThanOrEqual(0);
    }
  });
}
