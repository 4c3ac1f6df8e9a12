// The overlay the benchmarks write: `count` files of `size` bytes, ten per leaf directory, ten
// leaves per top directory (d<i/100>/s<(i/10)%10>/f<i>), every seventh one executable. floor.cc
// builds the very same layout.
export function overlayFiles(count, size = 1024) {
  const files = [];
  for (let i = 0; i < count; i++) {
    const head = `file ${i}\n`;
    files.push({
      path: `d${Math.floor(i / 100)}/s${Math.floor(i / 10) % 10}/f${i}`,
      content: head + 'x'.repeat(Math.max(0, size - head.length)),
      isExecutable: i % 7 === 0,
    });
  }
  return files;
}
