// One shared "now" that advances each minute, so relative times and local clocks stay fresh
// without every component running its own timer.

import { everyMinute } from "./time";

class Clock {
  now = $state(Date.now());

  constructor() {
    everyMinute((now) => (this.now = now));
  }
}

export const clock = new Clock();
