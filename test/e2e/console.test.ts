/**
 * The operator console in a real browser: Debian's Chromium (/usr/bin/chromium, installed by
 * infra/setup.sh test) driven by playwright-core, against the real host (embedded: PGlite, local
 * store, in-process stream node) serving the console built from console/ (test/support/console-build.ts),
 * with a real RTSP camera (GStreamer) and a simulated ONVIF device pointing at it. One browser for
 * the whole file; the steps build on each other like an operator's first hour. Each step saves a
 * screenshot in test-output/console/ (git-ignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { chromium, type BrowserContext, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wallClock } from '../../core/time.ts';
import { startRtspServer, type RtspServer } from '../../infra/services/rtsp.ts';
import { makeFixtures, type Fixtures } from '../functions/fixtures.ts';
import { until } from '../stream-node/helpers.ts';
import { ADMIN_PASSWORD, startApi, type Api } from '../support/api.ts';
import { startOnvifSim, type OnvifSim } from '../support/onvif-sim.ts';
import { walkingClip } from './helpers.ts';

const SHOTS = join(import.meta.dirname, '..', '..', 'test-output', 'console');
/** the machine's closed network: no background connections, nothing downloaded (see /work/.library env notes) */
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir: string;
let profile: string;
let rtsp: RtspServer;
let onvif: OnvifSim;
let api: Api;
let fx: Fixtures;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
let libId = 0;

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const persons = async (lib: number) => (await api.call('/QueryPersonList', { page_no: 1, page_size: 100, lib_id: lib })).info;

/** Drops a file on an element, as a drag from the desktop does. */
async function dropFile(selector: string, data: Buffer, name: string, type: string) {
  const transfer = await page.evaluateHandle(({ b64, name, type }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new (globalThis as any).DataTransfer();
    dt.items.add(new File([bytes], name, { type }));
    return dt;
  }, { b64: data.toString('base64'), name, type });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}

async function login(user = 'admin', password = ADMIN_PASSWORD) {
  await page.getByLabel('用户名').or(page.getByLabel('Username')).fill(user);
  // keyboard only: Tab to the password, Enter to submit
  await page.keyboard.press('Tab');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'console-e2e-'));
  profile = mkdtempSync(join(tmpdir(), 'console-chromium-'));
  fx = await makeFixtures();
  const clip = await walkingClip(dir, 'alice', fx.alice);
  rtsp = await startRtspServer({ streams: [{ path: 'Streaming/Channels/101', source: clip }] });
  onvif = await startOnvifSim({ manufacturer: 'Acme Vision', user: 'admin', password: 'cam-pass', rtspPort: rtsp.port });
  api = await startApi('embedded', {
    CAMERA_ALLOWED_RANGES: '127.0.0.0/8', ONVIF_DISCOVERY_TARGETS: `127.0.0.1:${onvif.udpPort}`, ONVIF_DISCOVERY_MS: '500',
    DESIRED_STATE_PERIOD_MS: '1000', DETECT_WIDTH: '640', LEASE_TTL_MS: '1500',
  });
  await api.login();
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1366, height: 768 }, locale: 'zh-CN',
  });
  page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('dialog', (d) => void d.accept());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('net::ERR')) problems.push(`console: ${m.text()}`); });
}, 180_000);

afterAll(async () => {
  await context?.close();
  await api?.stop();
  await onvif?.close();
  await rtsp?.stop();
  for (const d of [dir, profile]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('operator console in Chromium', () => {
  it('serves the console at / (every API URI still answers) and logs in with the MD5 done in the page', async () => {
    const res = await page.goto(api.url);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.getByRole('heading', { name: 'facewatch' }).isVisible()).toBe(true);
    await shot('01-login');
    await page.getByLabel('用户名').fill('admin');
    await page.getByLabel('密码', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText('用户名或密码错误').waitFor();
    await page.getByLabel('密码', { exact: true }).fill('');
    await page.getByLabel('用户名').fill('');
    await login();
    await page.getByRole('heading', { name: '概览' }).waitFor();
    await page.getByTestId('card-cameras').waitFor();
    // /QueryAlarmList exists (issue 13): the panel says its page comes in phase 2, not "not available"
    await page.getByTestId('overview-alarms').getByText('服务器已提供此功能').waitFor();
    await shot('02-overview');
    expect((await api.call('/QueryLibraryList', { page_no: 1, page_size: 1 })).code).toBe(0);
  });

  it('an ended session goes back to the login page, then back to where the user was', async () => {
    await page.goto(`${api.url}/#/cameras?page=1`);
    await page.getByRole('heading', { name: '摄像头' }).waitFor();
    await page.evaluate(() => {
      const storage = (globalThis as any).localStorage;
      const s = JSON.parse(storage.getItem('fw.session'));
      storage.setItem('fw.session', JSON.stringify({ ...s, session: 'ended-session' }));
    });
    await page.reload();
    await page.getByText('登录已失效，请重新登录。').waitFor();
    expect(page.url()).toContain('next=');
    await shot('03-session-ended');
    await login();
    await page.getByRole('heading', { name: '摄像头' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/cameras?page=1');
  });

  it('creates a library', async () => {
    await page.getByRole('link', { name: '人员底库', exact: true }).click();
    await page.getByRole('button', { name: '新建底库' }).click();
    await page.getByRole('dialog').getByLabel('名称', { exact: true }).fill('员工');
    await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
    await page.getByRole('link', { name: '员工' }).waitFor();
    await shot('04-libraries');
    libId = (await api.call('/QueryLibraryList', { page_no: 1, page_size: 10, name: '员工' })).info.items[0].lib_id;
    expect(libId).toBeGreaterThan(0);
  });

  it('adds a person by dropping a face photo on the form (shown before saving)', async () => {
    await page.getByRole('link', { name: '员工' }).click();
    await page.getByRole('button', { name: '添加人员' }).click();
    await dropFile('[data-testid=photo-drop]', fx.alice, 'alice.jpg', 'image/jpeg');
    await page.getByTestId('photo-preview').waitFor();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称', { exact: true }).fill('张三');
    await dialog.getByLabel('卡号', { exact: true }).fill('E1001');
    await shot('05-person-form');
    await dialog.getByRole('button', { name: '保存' }).click();
    const row = page.getByTestId('persons').getByRole('row', { name: /张三/ });
    await row.waitFor();
    await expect.poll(() => row.textContent()).toContain('zhang san');
    await row.locator('img.thumb').waitFor(); // the enrolled photo, through /DownloadPersonPicture
    await shot('06-persons');
    expect((await persons(libId)).items).toMatchObject([{ name: '张三', card_no: 'E1001', pinyin: 'zhang san' }]);
  });

  it('a photo without a face is refused, in words, and nobody is added', async () => {
    await page.getByRole('button', { name: '添加人员' }).click();
    await dropFile('[data-testid=photo-drop]', fx.blank, 'wall.png', 'image/png');
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称', { exact: true }).fill('无脸');
    await dialog.getByRole('button', { name: '保存' }).click();
    await dialog.getByRole('alert').filter({ hasText: '照片中没有找到人脸' }).waitFor();
    await shot('07-photo-refused');
    await dialog.getByRole('button', { name: '取消' }).click();
    expect((await persons(libId)).total_count).toBe(1);
  });

  it('bulk-imports a zip of photos with per-row results, resumed after a page reload without doubles', async () => {
    const zip = zipSync({ '李四.jpg': fx.bob, '王五_E2048.jpg': fx.carol, '空白.png': fx.blank, 'readme.txt': strToU8('photos named after people') });
    // hold every /AddPerson after the first: the reload comes while they are in flight
    const held: Route[] = [];
    let passed = 0;
    await page.route('**/AddPerson', (route) => { if (passed++ < 1) void route.continue(); else held.push(route); });
    await page.goto(`${api.url}/#/import?lib=${libId}`);
    await page.getByTestId('import-library').getByText('员工').waitFor();
    await page.setInputFiles('[data-testid=import-drop] input[type=file]', { name: 'staff.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await page.getByTestId('import-prepared').getByText('3 行').waitFor();
    await page.getByRole('button', { name: '开始导入' }).click();
    await page.getByTestId('import-progress').getByText('1 / 3').waitFor();
    await until(() => held.length >= 1, 'a held AddPerson');
    await page.reload();
    for (const r of held) await r.abort().catch(() => {});
    await page.unroute('**/AddPerson');
    await page.getByTestId('import-resume').waitFor();
    await shot('08-import-paused');
    await page.getByTestId('import-resume').click();
    await page.getByTestId('import-progress').getByText('3 / 3：成功 2，失败 1').waitFor({ timeout: 60_000 });
    const table = page.getByTestId('import-results');
    await expect.poll(() => table.locator('tr[data-status=failed]').textContent()).toContain('照片中没有找到人脸');
    expect(await table.locator('tr[data-status=ok]').count()).toBe(2);
    await shot('09-import-done');
    const names = (await persons(libId)).items.map((p: { name: string }) => p.name).sort();
    expect(names).toEqual(['张三', '李四', '王五'].sort());
    expect((await api.call('/QueryPersonList', { page_no: 1, page_size: 10, lib_id: libId, card_no: 'E2048' })).info.items[0].name).toBe('王五');
  });

  it('finds a camera by ONVIF search, fills its RTSP address, adds it and shows its live snapshot', async () => {
    await page.goto(`${api.url}/#/cameras`);
    await page.getByRole('button', { name: 'ONVIF 搜索' }).click();
    await page.getByTestId('onvif-devices').getByRole('button', { name: /Acme Vision/ }).click();
    await page.getByLabel('摄像头用户名').fill('admin');
    await page.getByLabel('摄像头密码').fill('cam-pass');
    await shot('10-onvif-search');
    await page.getByRole('button', { name: '获取 RTSP 地址' }).click();
    const rtspField = page.getByLabel('RTSP 地址');
    await expect.poll(() => rtspField.inputValue()).toBe(`rtsp://admin:cam-pass@127.0.0.1:${rtsp.port}/Streaming/Channels/101`);
    await page.getByRole('dialog').getByLabel('名称', { exact: true }).fill('Gate');
    await page.getByRole('dialog').getByRole('button', { name: '保存' }).click();
    const row = page.getByTestId('cameras').getByRole('row', { name: /Gate/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('admin:***@'); // the password is not shown in the list
    await row.getByRole('button', { name: '实时画面' }).click();
    const img = page.getByTestId('snapshot');
    await img.waitFor({ timeout: 20_000 });
    await expect.poll(() => img.evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBe(640);
    await shot('11-snapshot');
    await page.getByRole('button', { name: '关闭' }).click();
  });

  it('creates a task with a weekly plan (typed, copied and dragged), starts it and shows its stream open', async () => {
    await page.getByRole('link', { name: '任务', exact: true }).click();
    await page.getByRole('button', { name: '新建任务' }).click();
    const form = page.getByTestId('task-form');
    await form.getByLabel('名称', { exact: true }).fill('Front door');
    await form.getByTestId('pick-cameras').getByRole('searchbox').fill('Gate');
    await form.getByTestId('pick-cameras').getByRole('button', { name: /Gate/ }).click();
    await form.getByTestId('pick-libraries').getByRole('searchbox').click();
    await form.getByTestId('pick-libraries').getByRole('button', { name: /员工/ }).click();
    await page.keyboard.press('Escape'); // closes the list (the dialog stays open)
    expect(await page.getByRole('dialog').count()).toBe(1);
    await form.getByLabel('全天候运行（不设计划）').uncheck();
    await form.getByTestId('plan-text-1').fill('8:00-12:00，13:30-18:00');
    await form.getByRole('button', { name: '周一复制到周二至周五' }).click();
    // Saturday: drag from 06:00 to 12:00 on the day's bar
    const bar = (await form.getByTestId('plan-bar-6').boundingBox())!;
    await page.mouse.move(bar.x + bar.width * 0.25 + 1, bar.y + bar.height / 2);
    await page.mouse.down();
    await page.mouse.move(bar.x + bar.width * 0.5 - 1, bar.y + bar.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => form.getByTestId('plan-text-6').inputValue()).toBe('06:00-12:00');
    // today (the server's zone) all day, so the task runs now
    const today = wallClock(new Date(), 'Asia/Shanghai').weekday;
    await form.getByTestId(`plan-text-${today}`).fill('00:00-24:00');
    const days: Record<string, string[]> = {};
    for (const d of [1, 2, 3, 4, 5]) days[d] = ['08:00-12:00', '13:30-18:00'];
    days[6] = ['06:00-12:00'];
    days[today] = ['00:00-24:00'];
    const expected = JSON.stringify(Object.fromEntries(Object.entries(days).sort()));
    await expect.poll(() => form.getByTestId('plan-json').textContent()).toBe(JSON.stringify(expected));
    await shot('12-task-plan');
    await form.getByRole('button', { name: '保存' }).click();
    const row = page.locator('tr[data-task="Front door"]');
    await row.waitFor();
    const task = (await api.call('/QueryTaskList', { page_no: 1, page_size: 10, name: 'Front door' })).info.items[0];
    expect(task).toMatchObject({ plan: expected, camera_list1: [{ name: 'Gate' }], lib_list: [{ name: '员工' }], state: 0 });
    await row.getByRole('button', { name: '启动' }).click();
    await row.locator('.badge.on', { hasText: '运行中' }).waitFor();
    await row.locator('.badge.on', { hasText: 'Gate' }).waitFor({ timeout: 45_000 }); // the stream node has the stream open
    await shot('13-task-running');
  });

  // Phase 2 (issue 13's GET /Events, /QueryAlarmList, /AckAlarm): the live wall shows the running
  // task's capture beside the enrolled photo, and an alarm is acknowledged with a remark.
  it.todo('shows a capture of the running task on the live wall (needs GET /Events, issue 13)');
  it.todo('acknowledges an alarm with a remark (needs /QueryAlarmList and /AckAlarm, issue 13)');

  it('records: the capture beside the enrolled photo, filters, delete; CSV export offered', async () => {
    await until(async () => (await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 1, classify: 1 })).info.total_count >= 1, 'a record of 张三', 90_000);
    const task = (await api.call('/QueryTaskList', { page_no: 1, page_size: 10, name: 'Front door' })).info.items[0];
    expect((await api.call('/StopTask', { task_id: task.task_id })).code).toBe(0);
    await page.goto(`${api.url}/#/records?classify=1&name=${encodeURIComponent('张')}`);
    const row = page.getByTestId('records').getByRole('row', { name: /张三/ }).first();
    await row.waitFor();
    // the node may still write a record as it stops (a track ended by StopTask): the check is that
    // one of the records there before the click is gone, not on the count
    const ids = async () => ((await api.call('/QueryTaskCaptureRecord', { page_no: 1, page_size: 1000, classify: 1, person_name: '张' })).info.items as { record_id: number }[]).map((r) => r.record_id);
    const before = await ids();
    await expect.poll(() => row.locator('img.thumb').count()).toBe(2); // capture and enrolled photo
    await page.getByRole('button', { name: '导出 CSV' }).waitFor(); // /ExportCaptureRecord exists (issue 13)
    await shot('14-records');
    await row.getByRole('button', { name: '删除' }).click();
    await expect.poll(async () => { const now = await ids(); return before.filter((id) => !now.includes(id)).length; }).toBe(1);
  });

  it('accounts and system pages: list accounts with their roles, add one, change its password, delete it; the object store form; the webhook in phase 2', async () => {
    await page.getByRole('link', { name: '账号', exact: true }).click();
    const users = page.getByTestId('users'); // /QueryUserList (issue 10) lists the accounts
    await users.getByRole('row', { name: /admin/ }).first().waitFor();
    await page.getByRole('button', { name: '新建账号' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称', { exact: true }).fill('op1');
    await dialog.getByLabel('新密码', { exact: true }).fill('first-pass');
    await dialog.getByLabel('再次输入新密码').fill('first-pass');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.getByRole('status').filter({ hasText: '账号“op1”已创建' }).waitFor();
    const op = users.getByRole('row', { name: /op1/ });
    await op.getByText('操作员').waitFor(); // the default role (RegisterUser's default too)
    await op.getByRole('button', { name: '修改密码' }).click();
    const change = page.getByRole('dialog');
    await change.getByLabel('原密码').fill('first-pass');
    await change.getByLabel('新密码', { exact: true }).fill('second-pass');
    await change.getByLabel('再次输入新密码').fill('second-pass');
    await change.getByRole('button', { name: '修改密码' }).click();
    await page.getByRole('status').filter({ hasText: '已保存' }).first().waitFor();
    expect(await api.login('op1', 'second-pass')).toBeTruthy();
    await shot('15-accounts');
    await op.getByRole('button', { name: '删除' }).click();
    await page.getByRole('status').filter({ hasText: '账号 op1 已删除' }).waitFor();
    await page.getByRole('link', { name: '系统配置', exact: true }).click();
    await page.getByTestId('storage-current').getByText('本机目录').waitFor();
    await page.getByTestId('webhook').getByText('服务器已提供此功能').waitFor(); // /QueryWebhookStatus exists (issue 13)
    await shot('16-system');
  });

  it('a viewer sees no edit buttons and no account or system pages (the Login answer names the role)', async () => {
    await page.getByTestId('logout').click();
    await page.route('**/Login', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...(await res.json()), role: 'viewer' } });
    });
    await login();
    await page.getByRole('heading', { name: '概览' }).waitFor();
    await page.getByTestId('user').getByText('查看员').waitFor();
    const nav = page.getByRole('navigation', { name: '主导航' });
    await nav.getByRole('link', { name: '人员底库', exact: true }).waitFor();
    for (const hidden of ['账号', '系统配置', '批量导入']) expect(await nav.getByRole('link', { name: hidden, exact: true }).count(), hidden).toBe(0);
    await page.goto(`${api.url}/#/libraries`);
    await page.getByRole('link', { name: '员工' }).waitFor();
    expect(await page.getByRole('button', { name: '新建底库' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: '删除' }).count()).toBe(0);
    await page.goto(`${api.url}/#/cameras`);
    await page.getByTestId('cameras').getByText('Gate').waitFor();
    expect(await page.getByRole('button', { name: '添加摄像头' }).count()).toBe(0);
    await page.goto(`${api.url}/#/system`);
    await page.getByText('没有权限执行此操作').waitFor();
    await shot('17-viewer');
    await page.unroute('**/Login');
    await page.getByTestId('logout').click();
    await login();
    await page.getByTestId('user').getByText('管理员').waitFor();
  });

  it('switches to English, and remembers it', async () => {
    await page.goto(`${api.url}/#/`);
    await page.getByTestId('lang').selectOption('en');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.reload();
    await page.getByRole('link', { name: 'Libraries' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.lang)).toBe('en');
    await shot('18-overview-en');
    await page.goto(`${api.url}/#/tasks`);
    await page.locator('tr[data-task="Front door"]').getByText('normal').waitFor();
    await shot('19-tasks-en');
  });

  it('fits a tablet held upright: no sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    const pages: [string, string][] = [['/', '[data-testid=card-cameras]'], ['/cameras', '[data-testid=cameras] tbody tr'], ['/records', '[data-testid=records] tbody tr img'], [`/libraries/${libId}`, '[data-testid=persons] tbody tr img']];
    for (const [path, content] of pages) {
      await page.goto(`${api.url}/#${path}`);
      await page.locator(content).first().waitFor();
      // wide tables and the navigation bar scroll inside themselves; the page does not
      expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth <= (globalThis as any).innerWidth), path).toBe(true);
    }
    await shot('20-tablet-persons');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  it('no script error and no content-security-policy violation on any page', () => {
    expect(problems).toEqual([]);
  });
});
