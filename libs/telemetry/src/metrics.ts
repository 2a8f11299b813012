import { metrics } from '@opentelemetry/api';

/** The platform's meter: every instrument of our own is made from it (names start with `mind.`). */
export const meter = () => metrics.getMeter('mind-platform');

export type { Histogram, Counter, ObservableResult, UpDownCounter } from '@opentelemetry/api';
