/** Bulk import's reading of files (console/src/lib/import-rows.ts): names, CSVs in UTF-8 and GBK, zips. */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  decodeText, markDuplicatePhotos, personFromFileName, rowsFromCsv, rowsFromPhotoNames, zipEntries, zipEntry,
} from '../../console/src/lib/import-rows.ts';

/** 张三 in GBK (what a Chinese Windows writes into zip names and CSV files) */
const ZHANG_SAN_GBK = [0xd5, 0xc5, 0xc8, 0xfd];

/** A zip whose entry name is raw GBK bytes without the UTF-8 flag: built with an ASCII stand-in, then patched. */
function gbkZip(): Uint8Array {
  const zip = zipSync({ 'XXXX.jpg': strToU8('photo-of-zhang'), 'readme.txt': strToU8('x') });
  const stand = strToU8('XXXX.jpg');
  for (let i = 0; i + stand.length <= zip.length; i++) {
    if (stand.every((b, k) => zip[i + k] === b)) zip.set(ZHANG_SAN_GBK, i);
  }
  return zip;
}

describe('import rows', () => {
  it('names from photo file names, with a card number after the last "_" when it looks like one', () => {
    expect(personFromFileName('张三.jpg')).toEqual({ name: '张三' });
    expect(personFromFileName('dir/张三_110101199001011234.JPG')).toEqual({ name: '张三', card_no: '110101199001011234' });
    expect(personFromFileName('李四_E1024.png')).toEqual({ name: '李四', card_no: 'E1024' });
    expect(personFromFileName('John_Smith.jpg')).toEqual({ name: 'John_Smith' }); // no digit: part of the name
    expect(personFromFileName('Anna_Lee_2024.webp')).toEqual({ name: 'Anna_Lee', card_no: '2024' });
  });

  it('rows from photos alone: images only, in name order', () => {
    const rows = rowsFromPhotoNames(['b.jpg', 'notes.txt', 'a_1234.png', '.DS_Store']);
    expect(rows).toEqual([
      { row: 1, photo: 'a_1234.png', name: 'a', card_no: '1234' },
      { row: 2, photo: 'b.jpg', name: 'b' },
    ]);
  });

  it('a CSV with Chinese headers, quotes and a BOM; problems are marked per row', () => {
    const csv = '\uFEFF姓名,照片,卡号,性别,名单,备注\r\n张三,zhang.jpg,001,男,黑名单,"VIP, 3F"\r\n李四,LI.JPG,,女,0,\r\n,x.jpg,,,,\r\n王五,missing.jpg,,,,\r\n赵六,zhao.jpg,,alien,,\r\n钱七,,,,,\r\n';
    const rows = rowsFromCsv(csv, ['dir/zhang.jpg', 'li.jpg', 'zhao.jpg']);
    expect(rows[0]).toEqual({ row: 2, name: '张三', photo: 'zhang.jpg', card_no: '001', sex: 1, category: 1, remark: 'VIP, 3F' });
    expect(rows[1]).toEqual({ row: 3, name: '李四', photo: 'li.jpg', sex: 2, category: 0 });
    expect(rows.slice(2).map((r) => [r.row, r.problem?.key])).toEqual([[4, 'noName'], [5, 'photoMissing'], [6, 'badSex'], [7, 'noPhoto']]);
  });

  it('English headers; a CSV without a name column is refused', () => {
    expect(rowsFromCsv('name,photo,phone\nAnn,ann.png,138', ['ann.png'])).toEqual([{ row: 2, name: 'Ann', photo: 'ann.png', phone: '138' }]);
    expect(() => rowsFromCsv('who,photo\nAnn,ann.png', ['ann.png'])).toThrow('csv:noNameColumn');
  });

  it('text in UTF-8 or, when it is not valid UTF-8, GBK', () => {
    expect(decodeText(strToU8('\uFEFF姓名,照片'))).toBe('姓名,照片');
    expect(decodeText(new Uint8Array([...ZHANG_SAN_GBK, 0x2c, 0x61]))).toBe('张三,a');
  });

  it('zip entries by decoded name: UTF-8 names, GBK names without the flag, folders and macOS files skipped; entries read one by one', () => {
    const utf8 = zipSync({ '人员/张三_007.jpg': strToU8('zhang'), '人员/': new Uint8Array(0), '__MACOSX/._x.jpg': strToU8('junk'), 'list.csv': strToU8('name,photo') });
    const entries = zipEntries(utf8);
    expect([...entries.keys()].sort()).toEqual(['list.csv', '张三_007.jpg']);
    expect(new TextDecoder().decode(zipEntry(utf8, entries.get('张三_007.jpg')!))).toBe('zhang');

    const gbk = gbkZip();
    const g = zipEntries(gbk);
    expect([...g.keys()].sort()).toEqual(['readme.txt', '张三.jpg']);
    expect(new TextDecoder().decode(zipEntry(gbk, g.get('张三.jpg')!))).toBe('photo-of-zhang');
  });

  it('a file that is not a zip is refused', () => {
    expect(() => zipEntries(strToU8('name,photo\nAnn,ann.jpg'))).toThrow('zip:notAZip');
  });

  it('a photo used by two rows: the second is marked', () => {
    const rows = markDuplicatePhotos([{ row: 2, name: 'a', photo: 'x.jpg' }, { row: 3, name: 'b', photo: 'X.JPG' }]);
    expect(rows[1].problem).toEqual({ key: 'duplicatePhoto', detail: 'X.JPG' });
    expect(rows[0].problem).toBeUndefined();
  });
});
