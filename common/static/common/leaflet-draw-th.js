/* Leaflet.draw's buttons and tooltips in Thai on Thai pages (<html lang="th">): its own texts are
 * English only (L.drawLocal). Loaded right after Leaflet.draw, before any map is made. */
(function () {
  'use strict';
  if (!window.L || !L.drawLocal || !/^th/.test(document.documentElement.lang || '')) return;
  var d = L.drawLocal.draw, e = L.drawLocal.edit;
  d.toolbar.actions = {title: 'ยกเลิกการวาด', text: 'ยกเลิก'};
  d.toolbar.finish = {title: 'วาดเสร็จ', text: 'เสร็จสิ้น'};
  d.toolbar.undo = {title: 'ลบจุดล่าสุดที่วาด', text: 'ลบจุดล่าสุด'};
  d.toolbar.buttons = {
    polyline: 'วาดเส้น', polygon: 'วาดรูปหลายเหลี่ยม', rectangle: 'วาดสี่เหลี่ยม',
    circle: 'วาดวงกลม', marker: 'วางหมุด', circlemarker: 'วางจุดวงกลม'
  };
  var h = d.handlers;
  h.circle.tooltip.start = 'คลิกแล้วลากเพื่อวาดวงกลม';
  h.circle.radius = 'รัศมี';
  h.circlemarker.tooltip.start = 'คลิกบนแผนที่เพื่อวางจุด';
  h.marker.tooltip.start = 'คลิกบนแผนที่เพื่อวางหมุด';
  h.polygon.tooltip = {
    start: 'คลิกเพื่อเริ่มวาดรูป', cont: 'คลิกเพื่อวาดต่อ', end: 'คลิกจุดแรกเพื่อปิดรูป'
  };
  h.polyline.error = '<strong>ผิดพลาด:</strong> ขอบของรูปตัดกันไม่ได้';
  h.polyline.tooltip = {
    start: 'คลิกเพื่อเริ่มวาดเส้น', cont: 'คลิกเพื่อวาดเส้นต่อ', end: 'คลิกจุดสุดท้ายเพื่อจบเส้น'
  };
  h.rectangle.tooltip.start = 'คลิกแล้วลากเพื่อวาดสี่เหลี่ยม';
  h.simpleshape.tooltip.end = 'ปล่อยเมาส์เพื่อวาดเสร็จ';
  e.toolbar.actions = {
    save: {title: 'บันทึกการแก้ไข', text: 'บันทึก'},
    cancel: {title: 'ยกเลิกการแก้ไข ทิ้งการเปลี่ยนแปลงทั้งหมด', text: 'ยกเลิก'},
    clearAll: {title: 'ลบทั้งหมด', text: 'ลบทั้งหมด'}
  };
  e.toolbar.buttons = {
    edit: 'แก้ไขรูป', editDisabled: 'ไม่มีรูปให้แก้ไข', remove: 'ลบรูป', removeDisabled: 'ไม่มีรูปให้ลบ'
  };
  e.handlers.edit.tooltip = {text: 'ลากจุดหรือหมุดเพื่อแก้ไขรูป', subtext: 'คลิกยกเลิกเพื่อย้อนการแก้ไข'};
  e.handlers.remove.tooltip = {text: 'คลิกที่รูปเพื่อลบ'};
})();
