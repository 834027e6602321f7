// One shared "now" that advances each minute, so relative times and local clocks stay fresh
// without every component running its own timer. It follows the app's clock, which is the system
// time unless the app was started at another instant (as end-to-end tests do).

import { appNow } from "./api";
import { everyMinute } from "./time";

class Clock {
  /** How far the app's clock is from this machine's, in milliseconds. */
  private offset = 0;
  now = $state(Date.now());

  constructor() {
    everyMinute(() => (this.now = Date.now() + this.offset));
    const asked = Date.now();
    void appNow()
      .then((app) => {
        // Half the round trip is the best guess of when the shell read its clock.
        this.offset = app - (asked + Date.now()) / 2;
        this.now = Date.now() + this.offset;
      })
      .catch(() => {});
  }
}

export const clock = new Clock();
