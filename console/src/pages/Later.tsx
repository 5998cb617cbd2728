/**
 * Pages built on issue 13's URIs: the live wall (GET /Events), the alarm feed (/QueryAlarmList,
 * /AckAlarm) and the roll-call / attendance reports (/QueryRollCall, /QueryAttendance and their
 * exports). Until the server has them each says "not available"; phase 2 of the console replaces
 * these placeholders with the pages (console/README.md "Phase 2").
 */
import { hasEvents, hasUri } from '../api/client.ts';
import { Loading, NotAvailable } from '../components/ui.tsx';
import { t, type Key } from '../i18n/index.ts';
import { useAsync } from '../lib/hooks.ts';

function Placeholder(props: { title: Key; uris: string[]; probe: () => Promise<boolean> }) {
  const available = useAsync(props.probe, []);
  return (
    <section aria-labelledby="later-title">
      <h1 id="later-title">{t(props.title)}</h1>
      {available.loading ? <Loading /> : available.data
        ? <p class="notice" role="status" data-testid="phase2">{t('na.phase2')}</p>
        : <NotAvailable what={t(props.title)} uris={props.uris} />}
    </section>
  );
}

export const LiveWall = () => <Placeholder title="nav.live" uris={['GET /Events']} probe={hasEvents} />;
export const Alarms = () => <Placeholder title="nav.alarms" uris={['/QueryAlarmList', '/AckAlarm']} probe={() => hasUri('/QueryAlarmList')} />;
export const Reports = () => (
  <Placeholder title="nav.reports" uris={['/QueryRollCall', '/QueryAttendance', '/ExportRollCall', '/ExportAttendance']}
    probe={async () => (await hasUri('/QueryRollCall')) && (await hasUri('/QueryAttendance'))} />
);
