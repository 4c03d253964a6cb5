import { describe, expect, it } from 'vitest';
import { firstScreen } from '../../src/app/state/first-screen.js';

const file = (name: string, length = 1000) => ({ name, length });

describe('firstScreen', () => {
  it('plays a single video or audio file and shows a single image in the card', () => {
    expect(firstScreen([file('clip.webm')])).toEqual({ lead: { index: 0, kind: 'video' }, filesOpen: false });
    expect(firstScreen([file('Song.MP3')])).toEqual({ lead: { index: 0, kind: 'audio' }, filesOpen: false });
    expect(firstScreen([file('photo.jpg')])).toEqual({ lead: { index: 0, kind: 'image' }, filesOpen: false });
  });

  it('opens the file list of several files, even when one of them is a video', () => {
    expect(firstScreen([file('a.mp4'), file('b.txt')])).toEqual({ filesOpen: true });
  });

  it('leads with nothing for one file that does not play or show (or is empty), or no file list yet', () => {
    expect(firstScreen([file('archive.zip')])).toEqual({ filesOpen: false });
    expect(firstScreen([file('notes.txt')])).toEqual({ filesOpen: false });
    expect(firstScreen([file('empty.mp4', 0)])).toEqual({ filesOpen: false });
    expect(firstScreen([])).toEqual({ filesOpen: false });
  });
});
