import './app-shell/app-shell.js';
