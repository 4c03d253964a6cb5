import { markMoment } from '../client/moments.js';
import './app-shell/app-shell.js';

markMoment('app-start');
