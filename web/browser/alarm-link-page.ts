/**
 * alarmChartUrl for the pages whose scripts are not modules yet (the alarms page): loaded before
 * them as /static/alarm-link.js, it sets `window.busbarAlarmLink`.
 */
import { alarmChartUrl } from './alarm-link.js';

(window as unknown as { busbarAlarmLink: typeof alarmChartUrl }).busbarAlarmLink = alarmChartUrl;
