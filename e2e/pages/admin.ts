/**
 * Page object for the admin pages: tests select by data-testid through this, so markup can
 * change without rewriting them.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, type Locator, type Page, type TestInfo } from "@playwright/test";

export class AdminPage {
  constructor(readonly page: Page) {}

  // ---- login ---------------------------------------------------------------------------------

  get loginForm(): Locator {
    return this.page.getByTestId("login-form");
  }
  get loginError(): Locator {
    return this.page.getByTestId("login-error");
  }
  get title(): Locator {
    return this.page.getByTestId("admin-page-title");
  }
  get header(): Locator {
    return this.page.getByTestId("admin-header");
  }

  async gotoLogin(next?: string) {
    await this.page.goto(next ? `/admin/login?next=${encodeURIComponent(next)}` : "/admin/login");
  }

  /** Submits the login form and waits for its answer (a refusal, or the page it leads to). */
  async fillLogin(username: string, password: string) {
    const before = await this.answers("login-form");
    await this.page.getByTestId("login-username").fill(username);
    await this.page.getByTestId("login-password").fill(password);
    await this.page.getByTestId("login-submit").click();
    await expect.poll(() => this.answers("login-form")).not.toBe(before);
  }

  /**
   * How many answers the form has had ("gone" once it left the page), read without waiting, so
   * a new refusal can be told from the previous one and a navigation does not stall the read.
   */
  async answers(testId: string): Promise<string> {
    try {
      return await this.page.evaluate(
        (id) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute("data-answers") ?? "gone",
        testId,
      );
    } catch {
      return "navigating";
    }
  }

  /** Signs in from wherever the browser is sent (a login page), and waits for the frame. */
  async login(username: string, password: string, path = "/admin") {
    await this.page.goto(path);
    await expect(this.loginForm).toBeVisible();
    await this.fillLogin(username, password);
    await expect(this.header).toBeVisible();
  }

  async logout() {
    await this.page.getByTestId("logout-button").click();
    await expect(this.page.getByTestId("signed-out")).toBeVisible();
  }

  nav(name: "dashboard" | "agents" | "tools" | "sessions" | "messages" | "runs"): Locator {
    return this.page.getByTestId(`nav-${name}`);
  }

  // ---- forms ---------------------------------------------------------------------------------

  /** Clicks a form's submit button and waits for the server's answer (or the next page). */
  async submit(form: Locator, button: Locator) {
    const testId = await form.getAttribute("data-testid");
    const url = this.page.url();
    const before = await this.answers(testId!);
    await button.click();
    await expect.poll(async () => (this.page.url() !== url ? "moved" : await this.answers(testId!))).not.toBe(before);
  }

  input(form: Locator, name: string): Locator {
    return form.getByTestId(`input-${name}`);
  }
  fieldError(form: Locator, name: string): Locator {
    return form.getByTestId(`field-error-${name}`);
  }
  formError(form: Locator): Locator {
    return form.getByTestId("form-error");
  }
  formNotice(form: Locator): Locator {
    return form.getByTestId("form-notice");
  }

  async setChecked(form: Locator, name: string, checked: boolean) {
    await this.input(form, name).setChecked(checked);
  }

  /** Clicks a confirm-form's button, then confirms in its dialog. */
  async confirm(testId: string) {
    await this.page.getByTestId(`${testId}-button`).click();
    const form = this.page.getByTestId(`${testId}-form`);
    await this.submit(form, this.page.locator("dialog[open]").getByTestId("confirm-delete-button"));
  }

  // ---- lists ---------------------------------------------------------------------------------

  get filterBar(): Locator {
    return this.page.getByTestId("filter-bar");
  }
  filter(name: string): Locator {
    return this.filterBar.getByTestId(`filter-${name}`);
  }
  async applyFilters(values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) {
      const field = this.filter(name);
      if ((await field.evaluate((el) => el.tagName)) === "SELECT") await field.selectOption(value);
      else await field.fill(value);
    }
    await this.filterBar.getByTestId("filter-submit").click();
  }
  rows(kind: "agent" | "tool" | "session" | "message" | "run"): Locator {
    return this.page.getByTestId(`${kind}-row`);
  }
  get emptyList(): Locator {
    return this.page.getByTestId("empty-list");
  }

  // ---- agents and tools ----------------------------------------------------------------------

  get agentForm(): Locator {
    return this.page.getByTestId("agent-form");
  }
  get toolForm(): Locator {
    return this.page.getByTestId("tool-form");
  }

  async fillAgent(a: { name?: string; role?: string; description?: string; model_hint?: string; is_active?: boolean }) {
    const f = this.agentForm;
    for (const key of ["name", "role", "description", "model_hint"] as const)
      if (a[key] !== undefined) await this.input(f, key).fill(a[key]!);
    if (a.is_active !== undefined) await this.setChecked(f, "is_active", a.is_active);
    await this.submit(f, f.getByTestId("agent-save"));
  }

  async fillTool(t: { name?: string; description?: string; schema?: string; is_active?: boolean }) {
    const f = this.toolForm;
    for (const key of ["name", "description", "schema"] as const)
      if (t[key] !== undefined) await this.input(f, key).fill(t[key]!);
    if (t.is_active !== undefined) await this.setChecked(f, "is_active", t.is_active);
    await this.submit(f, f.getByTestId("tool-save"));
  }

  // ---- sessions ------------------------------------------------------------------------------

  assignment(agent: string): Locator {
    return this.page.locator(`[data-testid="assignment"][data-agent="${agent}"]`);
  }
  assignmentForm(agent: string): Locator {
    return this.page.getByTestId(`assignment-form-${agent}`);
  }
  get addAssignmentForm(): Locator {
    return this.page.getByTestId("add-assignment-form");
  }
  get sessionForm(): Locator {
    return this.page.getByTestId("session-form");
  }

  // ---- dashboard -----------------------------------------------------------------------------

  chart(id: "runs-chart" | "error-chart" | "latency-chart" | "tokens-chart"): Locator {
    return this.page.getByTestId(id);
  }

  /** A full-page screenshot in test-results/screenshots (and attached to the report). */
  async screenshot(testInfo: TestInfo, name: string): Promise<void> {
    const dir = path.join(process.cwd(), "test-results", "screenshots");
    mkdirSync(dir, { recursive: true });
    const body = await this.page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
    await testInfo.attach(name, { body, contentType: "image/png" });
  }
}
