/**
 * The broker page's messages-per-second chart. The server computes the rates from the broker's
 * counters and the times it received them (web/broker-rates.ts) and sends the recent ones whole on
 * each change, so the chart opens with the past hour and never times anything by the browser's clock.
 */
import uPlot from 'uplot';
import { themedAxes } from './chart-axes.js';
import { byId } from './dom.js';

export interface RateColumns {
  readonly at: number[];
  readonly received: number[];
  readonly sent: number[];
}

/** Read by the page test: the received and sent lines' colours. */
const RECEIVED_COLOUR = '#1f77b4';
const SENT_COLOUR = '#d62728';

const round1 = (value: number): string => String(Math.round(value * 10) / 10);

const HEIGHT = 200;
/** The box's width less its padding, within what reads well. */
const widthOf = (box: HTMLElement): number => Math.max(240, Math.min(1200, box.clientWidth - 14));

export function rateChart(boxId: string, latestId: string): (rates: RateColumns) => void {
  const box = byId(boxId);
  const latest = byId(latestId);
  const axes = themedAxes();
  const plot = new uPlot(
    {
      width: widthOf(box),
      height: HEIGHT,
      series: [
        {},
        { label: 'received /s', stroke: RECEIVED_COLOUR, width: 1.5 },
        { label: 'sent /s', stroke: SENT_COLOUR, width: 1.5 },
      ],
      scales: { x: { time: true } },
      axes: [axes.x, { ...axes.y, size: 60 }],
    },
    [[], [], []],
    box.querySelector<HTMLElement>('.plot') ?? box,
  );
  // A phone turned, a window resized: the chart follows its box.
  window.addEventListener('resize', () => plot.setSize({ width: widthOf(box), height: HEIGHT }));
  return (rates) => {
    plot.setData([rates.at, rates.received, rates.sent]);
    const n = rates.at.length - 1;
    latest.textContent =
      n < 0
        ? 'no rate yet: it takes two publications of the broker statistics'
        : `received: ${round1(rates.received[n]!)} /s, sent: ${round1(rates.sent[n]!)} /s`;
    document.body.setAttribute('data-rate-samples', String(rates.at.length));
  };
}
